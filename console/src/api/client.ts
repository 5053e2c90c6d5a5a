// The one typed API module: paths and shapes come from src/api/schema.d.ts, generated from the
// server's OpenAPI document (npm run api-types; tests/test_console.py fails when it is stale).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Me = Schemas["MeOut"];
export type Member = Schemas["MemberOut"];
export type Registration = Schemas["RegistrationOut"];
export type Activity = Schemas["ActivityOut"];
export type Org = Schemas["OrgOut"];
export type Market = Schemas["MarketOut"];
export type Rating = Schemas["RatingOut"];
export type Job = Schemas["JobOut"];
export type AuditEntry = Schemas["AuditOut"];
export type Vocabularies = Schemas["Vocabularies"];

/** An error the API answered with: {error: {code, message, fields}}. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TOKEN_KEY = "dj.desk.token";
let onUnauthorized: () => void = () => {};

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    // A bearer header, never a cookie: a page on another site cannot make the browser send it (no CSRF).
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

// fetch looked up at call time (tests replace it); URLs on this page's own origin.
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "", fetch: (request) => globalThis.fetch(request) });
api.use(auth);

/** The body of a successful answer, or an ApiError thrown with the server's Chinese message. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, "network", "无法连接服务器，请检查网络后重试");
  }
  const { data, error, response } = result;
  if (response.ok && data !== undefined) return data;
  throw toError(response.status, error);
}

export function toError(status: number, body: unknown): ApiError {
  const detail = (body as { error?: { code?: string; message?: string; fields?: Record<string, string> } })?.error;
  if (status === 401) onUnauthorized();
  return new ApiError(status, detail?.code ?? "http_" + status, detail?.message ?? `服务器出错（${status}），请稍后再试`,
    detail?.fields ?? {});
}

/** Files (workbooks, PDFs, plate images): fetched with the token, then saved under the server's file name. */
export async function download(url: string, fallbackName: string): Promise<string> {
  const token = getToken();
  let response: Response;
  try {
    response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiError(0, "network", "无法连接服务器，请检查网络后重试");
  }
  if (!response.ok) throw toError(response.status, await response.json().catch(() => null));
  const name = fileName(response.headers.get("content-disposition")) ?? fallbackName;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return name;
}

/** filename*=UTF-8''… (RFC 5987) first, then a plain filename="…". */
export function fileName(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : null;
}

/** An image the API serves behind the token (plate preview, photos), as an object URL for <img>. */
export async function imageUrl(url: string): Promise<string> {
  const token = getToken();
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw toError(response.status, await response.json().catch(() => null));
  return URL.createObjectURL(await response.blob());
}
