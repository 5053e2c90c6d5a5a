import { ElMessage } from "element-plus";
import { ApiError } from "../api/client";

/** Say what went wrong in the server's own words (it answers in Chinese). */
export function failed(e: unknown): void {
  ElMessage.error({ message: e instanceof ApiError ? e.message : "操作失败，请稍后再试", duration: 5000, showClose: true });
}

/** Something the person must fix before the desk asks the server. */
export function warn(message: string): void {
  ElMessage.warning({ message, showClose: true });
}

export function done(message: string): void {
  ElMessage.success(message);
}

/** Field errors from a 422 answer, keyed as the form's fields are. */
export function fieldErrors(e: unknown): Record<string, string> {
  return e instanceof ApiError ? e.fields : {};
}
