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

/**
 * One desk action: call the server, say it worked and refresh, or say why not in the server's
 * words. Returns whether it worked; field errors go to `errors` when a form shows them.
 */
export async function act(call: () => Promise<unknown>, message: string, after?: () => unknown,
  errors?: { value: Record<string, string> }): Promise<boolean> {
  try {
    await call();
  } catch (e) {
    if (errors) errors.value = fieldErrors(e);
    failed(e);
    return false;
  }
  done(message);
  await after?.();
  return true;
}
