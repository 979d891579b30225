// SPDX-License-Identifier: AGPL-3.0-or-later
// User-facing text for failures to send a message or share a file.

import { currentLanguage, t } from "../i18n";
import { MediaTooLargeError } from "./mediaFiles";

export function describeSendError(error: unknown): string {
  if (error instanceof MediaTooLargeError) {
    const megabytes = (error.maxBytes / 1_000_000).toLocaleString(currentLanguage(), { maximumFractionDigits: 1 });
    return t("errorFileTooLarge", { size: megabytes });
  }

  const fields = (error ?? {}) as { errcode?: string; httpStatus?: number; name?: string };
  if (fields.errcode === "M_TOO_LARGE" || fields.httpStatus === 413) return t("errorMessageTooLong");
  if (fields.errcode === "M_FORBIDDEN") return t("errorNotAllowedToSend");
  if (fields.errcode === "M_LIMIT_EXCEEDED") return t("errorRateLimited");
  if (fields.name === "ConnectionError") return t("errorNoConnection");
  return t("errorSendFailed");
}
