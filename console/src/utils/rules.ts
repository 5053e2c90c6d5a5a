// Form rules shared by the desk's forms, mirroring what the server checks (it checks again).
import type { FormItemRule } from "element-plus";

export const MOBILE = /^1[3-9][0-9]{9}$/;

export function required(message: string): FormItemRule {
  return { required: true, trigger: "blur", validator: (_r, value, cb) => (String(value ?? "").trim() ? cb() : cb(new Error(message))) };
}

export function mobile(): FormItemRule {
  return { trigger: "blur", validator: (_r, value, cb) => (!value || MOBILE.test(value) ? cb() : cb(new Error("请填写 11 位大陆手机号"))) };
}

export function maxLength(max: number): FormItemRule {
  return { trigger: "blur", validator: (_r, value, cb) => (String(value ?? "").length <= max ? cb() : cb(new Error(`最多 ${max} 个字`))) };
}

/** A positive whole number of minutes (an activity's length): 1 … 4320, as the server allows. */
export function minutes(): FormItemRule {
  return { trigger: "blur", validator: (_r, value, cb) => (Number.isInteger(Number(value)) && value >= 1 && value <= 4320 ? cb() : cb(new Error("时长应为 1 到 4320 分钟（三天）"))) };
}
