// SPDX-License-Identifier: AGPL-3.0-or-later
// Reaction counts per message, built from `m.reaction` annotation events.

import type { MatrixEvent } from "matrix-js-sdk";

export const REACTION_KEYS = ["👍", "❤️", "😂", "🎉", "👏", "❓"];

// Keys longer than this are someone else's custom reactions; they are
// counted but shown shortened.
export const MAX_REACTION_KEY_LENGTH = 16;

export interface ReactionCount {
  key: string;
  count: number;
  /** Event id of the viewer's own reaction with this key, for undoing it. */
  ownReactionId: string | null;
}

interface Annotation {
  targetId: string;
  key: string;
  sender: string;
}

export class ReactionIndex {
  // target event id -> key -> sender -> reaction event id
  private readonly byTarget = new Map<string, Map<string, Map<string, string>>>();
  // reaction event id -> what it annotates, so a redaction can be undone here
  private readonly byReaction = new Map<string, Annotation>();

  /** Record a reaction event; returns the target event id, or null if it is not a valid annotation. */
  add(event: MatrixEvent): string | null {
    const annotation = readAnnotation(event);
    const reactionId = event.getId();
    if (!annotation || !reactionId || event.isRedacted()) return null;

    const keys = this.byTarget.get(annotation.targetId) ?? new Map<string, Map<string, string>>();
    const senders = keys.get(annotation.key) ?? new Map<string, string>();
    // One reaction per sender and key counts, as in other Matrix clients.
    senders.set(annotation.sender, reactionId);
    keys.set(annotation.key, senders);
    this.byTarget.set(annotation.targetId, keys);
    this.byReaction.set(reactionId, annotation);
    return annotation.targetId;
  }

  /** Forget a redacted reaction; returns its target event id if it was one. */
  remove(reactionId: string): string | null {
    const annotation = this.byReaction.get(reactionId);
    if (!annotation) return null;
    this.byReaction.delete(reactionId);

    const senders = this.byTarget.get(annotation.targetId)?.get(annotation.key);
    if (senders?.get(annotation.sender) === reactionId) senders.delete(annotation.sender);
    return annotation.targetId;
  }

  /** Move a reaction recorded under its local echo id to its final id; returns its target id. */
  rename(oldId: string, newId: string): string | null {
    const annotation = this.byReaction.get(oldId);
    if (!annotation) return null;
    this.byReaction.delete(oldId);
    this.byReaction.set(newId, annotation);
    const senders = this.byTarget.get(annotation.targetId)?.get(annotation.key);
    if (senders?.get(annotation.sender) === oldId) senders.set(annotation.sender, newId);
    return annotation.targetId;
  }

  countsFor(targetId: string, viewer: string): ReactionCount[] {
    const keys = this.byTarget.get(targetId);
    if (!keys) return [];
    const counts: ReactionCount[] = [];
    for (const [key, senders] of keys) {
      if (senders.size === 0) continue;
      counts.push({ key, count: senders.size, ownReactionId: senders.get(viewer) ?? null });
    }
    return counts;
  }
}

function readAnnotation(event: MatrixEvent): Annotation | null {
  const relation = event.getContent()["m.relates_to"] as
    | { rel_type?: unknown; event_id?: unknown; key?: unknown }
    | undefined;
  const sender = event.getSender();
  if (
    relation?.rel_type !== "m.annotation" ||
    typeof relation.event_id !== "string" ||
    typeof relation.key !== "string" ||
    relation.key.length === 0 ||
    !sender
  ) {
    return null;
  }
  return { targetId: relation.event_id, key: relation.key, sender };
}
