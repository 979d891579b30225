// SPDX-License-Identifier: AGPL-3.0-or-later
// File upload and authenticated media download (`/_matrix/client/v1/media`).
//
// Since Synapse 1.120 media downloads need the access token, so the page
// fetches files itself and shows them through blob: URLs instead of
// pointing <img> or <a> at the media URL.

import type { MatrixClient } from "matrix-js-sdk";

export interface FileContent {
  msgtype: "m.file" | "m.image" | "m.video" | "m.audio";
  body: string;
  filename: string;
  url: string;
  info: { size: number; mimetype: string };
}

const MXC = /^mxc:\/\/([^/]+)\/([^/?#]+)$/;

export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file is larger than the server allows (${maxBytes} bytes)`);
  }
}

/** Upload `file` and return the content of a message that shares it. */
export async function uploadFile(client: MatrixClient, file: File): Promise<FileContent> {
  const maxBytes = await uploadLimit(client);
  if (maxBytes !== null && file.size > maxBytes) throw new MediaTooLargeError(maxBytes);

  const mimetype = file.type || "application/octet-stream";
  const { content_uri: url } = await client.uploadContent(file, { name: file.name, type: mimetype });
  return {
    msgtype: messageTypeFor(mimetype),
    body: file.name,
    filename: file.name,
    url,
    info: { size: file.size, mimetype },
  };
}

async function uploadLimit(client: MatrixClient): Promise<number | null> {
  try {
    const config = await client.getMediaConfig(true);
    const limit = config["m.upload.size"];
    return typeof limit === "number" ? limit : null;
  } catch {
    // The server enforces its limit anyway; we only lose the early check.
    return null;
  }
}

function messageTypeFor(mimetype: string): FileContent["msgtype"] {
  if (mimetype.startsWith("image/")) return "m.image";
  if (mimetype.startsWith("video/")) return "m.video";
  if (mimetype.startsWith("audio/")) return "m.audio";
  return "m.file";
}

export function isMxcUrl(url: unknown): url is string {
  return typeof url === "string" && MXC.test(url);
}

/** Fetch `mxc://server/id` with the access token and return a blob: URL for it. */
export async function fetchMediaBlobUrl(
  client: MatrixClient,
  mxcUrl: string,
  thumbnail?: { width: number; height: number },
): Promise<string> {
  const match = MXC.exec(mxcUrl);
  if (!match) throw new Error(`not an mxc:// URL: ${mxcUrl}`);
  const [, serverName, mediaId] = match;

  const base = `${client.getHomeserverUrl()}/_matrix/client/v1/media`;
  const path = `${encodeURIComponent(serverName)}/${encodeURIComponent(mediaId)}`;
  const url = thumbnail
    ? `${base}/thumbnail/${path}?width=${thumbnail.width}&height=${thumbnail.height}&method=scale`
    : `${base}/download/${path}`;

  const response = await fetch(url, { headers: { Authorization: `Bearer ${client.getAccessToken()}` } });
  if (!response.ok) throw new Error(`media download failed with HTTP ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/** Download a shared file to the user's device under its original name. */
export async function saveMedia(client: MatrixClient, mxcUrl: string, filename: string): Promise<void> {
  const blobUrl = await fetchMediaBlobUrl(client, mxcUrl);
  const link = document.createElement("a");
  link.href = blobUrl;
  link.download = filename;
  link.rel = "noopener";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started once click() returns; the URL is no longer needed after that.
  setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
}
