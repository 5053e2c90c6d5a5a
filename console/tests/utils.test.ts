import { describe, expect, it } from "vitest";
import { fromQuery, toQuery } from "../src/utils/paged";
import { dateTime, day, maskMobile, monthRange } from "../src/utils/format";
import { MOBILE, minutes, mobile, required } from "../src/utils/rules";

function check(rule: { validator?: unknown }, value: unknown): string | null {
  let message: string | null = null;
  (rule.validator as (r: unknown, v: unknown, cb: (e?: Error) => void) => void)({}, value, (e) => (message = e?.message ?? null));
  return message;
}

describe("filters in the URL", () => {
  const defaults = { q: "", category: "", membership: "active", page: 1 };
  it("reads only known keys, numbers as numbers, and ignores garbage", () => {
    expect(fromQuery(defaults, { q: "王", page: "3", evil: "x" })).toEqual({ q: "王", category: "", membership: "active", page: 3 });
    expect(fromQuery(defaults, { page: "abc", category: ["a", "b"] })).toEqual(defaults);
  });
  it("writes only what differs from the defaults", () => {
    expect(toQuery({ ...defaults, category: "floating", page: 2 }, defaults)).toEqual({ category: "floating", page: "2" });
  });
});

describe("dates in Beijing time", () => {
  it("whatever the browser's zone", () => {
    expect(dateTime("2026-12-10T11:00:00Z")).toBe("2026-12-10 19:00");
    expect(day("2026-12-31T16:30:00Z")).toBe("2027-01-01");
    expect(monthRange("2026-12")).toEqual({ from: "2026-12-01T00:00:00+08:00", to: "2027-01-01T00:00:00+08:00" });
    expect(maskMobile("13900000001")).toBe("139****0001");
  });
});

describe("form rules", () => {
  it("as the server checks them", () => {
    expect(MOBILE.test("13900000001")).toBe(true);
    expect(check(mobile(), "12900000001")).toBe("请填写 11 位大陆手机号");
    expect(check(mobile(), "")).toBeNull();
    expect(check(required("请填写姓名"), "   ")).toBe("请填写姓名");
    expect(check(required("请填写姓名"), "王")).toBeNull();
    expect(check(minutes(), 0)).not.toBeNull();
    expect(check(minutes(), 4321)).not.toBeNull();
    expect(check(minutes(), 120)).toBeNull();
  });
});
