// SPDX-License-Identifier: AGPL-3.0-or-later
// An error whose message is shown to the user, translated.

import type { MessageKey, Params } from "../i18n";

export class UserFacingError extends Error {
  constructor(
    readonly messageKey: MessageKey,
    readonly params?: Params,
    options?: { cause?: unknown },
  ) {
    super(messageKey, options);
    this.name = "UserFacingError";
  }
}
