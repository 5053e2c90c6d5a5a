import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, fileName, must, setToken, toError, whenUnauthorized, api } from "../src/api/client";

afterEach(() => {
  vi.unstubAllGlobals();
  setToken(null);
});

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

describe("the API module", () => {
  it("reads the server's file name, Chinese included", () => {
    expect(fileName("attachment; filename*=UTF-8''%E5%8F%B0%E8%B4%A62026.xlsx")).toBe("台账2026.xlsx");
    expect(fileName('attachment; filename="ledger.xlsx"')).toBe("ledger.xlsx");
    expect(fileName(null)).toBeNull();
  });

  it("throws the server's code, Chinese message and field errors", async () => {
    vi.stubGlobal("fetch", answer(422, { error: { code: "validation_failed", message: "填写的内容有误", fields: { title: "必填" } } }));
    const error = await must(api.POST("/api/v1/activities", { body: {} as never })).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.fields]).toEqual([422, "validation_failed", "填写的内容有误", { title: "必填" }]);
  });

  it("sends the desk token as a bearer header, never as a cookie", async () => {
    const fetch = answer(200, { items: [] });
    vi.stubGlobal("fetch", fetch);
    setToken("desk-token-1");
    await must(api.GET("/api/v1/orgs", { params: { query: {} } }));
    const request = (fetch.mock.calls[0] as unknown as [Request])[0];
    expect(request.headers.get("Authorization")).toBe("Bearer desk-token-1");
    expect(request.credentials).not.toBe("include");
  });

  it("a 401 anywhere sends the desk back to the login QR", () => {
    const handler = vi.fn();
    whenUnauthorized(handler);
    expect(toError(401, { error: { code: "unauthorized", message: "登录已失效，请重新登录" } }).message).toBe("登录已失效，请重新登录");
    expect(handler).toHaveBeenCalledOnce();
    toError(403, null);
    expect(handler).toHaveBeenCalledOnce();
  });

  it("an unreachable server is said in Chinese, and a body without an error shape too", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    await expect(must(api.GET("/api/v1/me"))).rejects.toMatchObject({ code: "network", message: "无法连接服务器，请检查网络后重试" });
    expect(toError(502, "<html>bad gateway</html>").message).toBe("服务器出错（502），请稍后再试");
  });
});
