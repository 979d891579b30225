// SPDX-License-Identifier: AGPL-3.0-or-later
// JSON over fetch with Matrix-style errors ({errcode, error}) turned into ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    readonly serverMessage: string,
  ) {
    super(`${status} ${errcode}: ${serverMessage}`);
    this.name = "ApiError";
  }

  /** A request that never got an HTTP answer (offline, server down, blocked). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export interface RequestOptions {
  body?: unknown;
  accessToken?: string;
  signal?: AbortSignal;
}

export async function requestJson<T>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Same-origin cookies carry the guest return token.
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (error) {
    throw new ApiError(0, "NETWORK", String(error));
  }

  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const fields = (body ?? {}) as { errcode?: unknown; error?: unknown };
    throw new ApiError(
      response.status,
      typeof fields.errcode === "string" ? fields.errcode : "M_UNKNOWN",
      typeof fields.error === "string" ? fields.error : response.statusText,
    );
  }
  return body as T;
}
