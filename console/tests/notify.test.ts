import { describe, expect, it, vi } from "vitest";

const shown: string[] = [];
vi.mock("element-plus", () => ({
  ElMessage: { error: (o: { message: string }) => shown.push("error:" + o.message), success: (m: string) => shown.push("ok:" + m), warning: (o: { message: string }) => shown.push("warn:" + o.message) },
}));

const { act } = await import("../src/utils/notify");
const { ApiError } = await import("../src/api/client");

describe("one desk action", () => {
  it("says it worked, then refreshes", async () => {
    const after = vi.fn();
    expect(await act(async () => 1, "已保存", after)).toBe(true);
    expect(after).toHaveBeenCalledOnce();
    expect(shown.pop()).toBe("ok:已保存");
  });

  it("says why not in the server's words, keeps field errors for the form, and refreshes nothing", async () => {
    const after = vi.fn();
    const errors = { value: {} as Record<string, string> };
    const refused = new ApiError(422, "validation_failed", "填写的内容有误", { name: "必填" });
    expect(await act(async () => { throw refused; }, "已保存", after, errors)).toBe(false);
    expect(after).not.toHaveBeenCalled();
    expect(errors.value).toEqual({ name: "必填" });
    expect(shown.pop()).toBe("error:填写的内容有误");
    await act(async () => { throw new TypeError("x is undefined"); }, "已保存");
    expect(shown.pop()).toBe("error:操作失败，请稍后再试"); // never a raw script error in front of a clerk
  });
});
