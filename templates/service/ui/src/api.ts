/**
 * The typed client (openapi-fetch over the types openapi-typescript derives from the service's
 * OpenAPI document at build time) and the error shape every page shows.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "../openapi/schema";

const KEY = "issuebot.apiKey";

export function apiKey(): string {
  return window.localStorage.getItem(KEY) ?? "";
}

export function setApiKey(value: string): void {
  if (value) window.localStorage.setItem(KEY, value);
  else window.localStorage.removeItem(KEY);
}

function authorize(headers: Headers): void {
  const key = apiKey();
  if (key) headers.set("Authorization", `Bearer ${key}`);
}

const auth: Middleware = {
  onRequest({ request }) {
    authorize(request.headers);
    return request;
  },
};

export const client = createClient<paths>({ baseUrl: window.location.origin });
client.use(auth);

/** An answer that is not 2xx: a readable message plus the messages per field it names. */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: Record<string, string>;

  constructor(status: number, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

function fieldName(raw: unknown): string {
  if (Array.isArray(raw)) {
    const parts = raw.filter((p) => typeof p === "string" && p !== "body" && p !== "query");
    return String(parts[parts.length - 1] ?? "");
  }
  const text = String(raw ?? "");
  return text.split(/[./]/).filter(Boolean).pop() ?? "";
}

/** Read RFC 9457 problem details (`detail`, `errors[]`) or FastAPI's `detail` (text or list). */
export function toApiError(status: number, body: unknown): ApiError {
  const fields: Record<string, string> = {};
  let message = `The service answered ${status}`;
  if (body && typeof body === "object") {
    const problem = body as Record<string, unknown>;
    const entries = Array.isArray(problem.errors)
      ? problem.errors
      : Array.isArray(problem.detail)
        ? problem.detail
        : [];
    for (const entry of entries as Record<string, unknown>[]) {
      const name = fieldName(entry.field ?? entry.loc);
      const text = String(entry.message ?? entry.msg ?? "invalid");
      if (name && !(name in fields)) fields[name] = text;
    }
    if (typeof problem.detail === "string") message = problem.detail;
    else if (typeof problem.title === "string") message = problem.title;
    else if (entries.length) message = "Some fields need attention";
    if (status === 401 || status === 403) message += " (check the API key at the top)";
  } else if (typeof body === "string" && body) {
    message = body;
  }
  return new ApiError(status, message, fields);
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer, or an ApiError. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.response.ok || result.error !== undefined) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data as T;
}

/** Routes the typed client may not know yet (action runs): plain fetch with the same key. */
export async function request(method: string, url: string): Promise<unknown> {
  const headers = new Headers({ Accept: "application/json" });
  authorize(headers);
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) throw toApiError(response.status, body);
  return body;
}
