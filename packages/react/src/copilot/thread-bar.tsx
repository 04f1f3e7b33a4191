import type { ThreadSummary } from "@ragkit/protocol";
import { useState } from "react";
import { Icon } from "../components/icons.js";
import type { UseThreadsResult } from "../hooks/use-threads.js";

export interface ThreadBarLabels {
  threadPicker: string;
  newThread: string;
  untitledThread: string;
  rename: string;
  renameField: string;
  save: string;
  cancel: string;
  remove: string;
  confirmRemove: (title: string) => string;
}

export const defaultThreadBarLabels: ThreadBarLabels = {
  threadPicker: "Conversation",
  newThread: "New conversation",
  untitledThread: "Untitled conversation",
  rename: "Rename conversation",
  renameField: "Conversation title",
  save: "Save",
  cancel: "Cancel",
  remove: "Delete conversation",
  confirmRemove: (title) => `Delete “${title}”?`,
};

/** Option text stays short: the native dropdown list grows with its longest option otherwise. */
const OPTION_TITLE_LENGTH = 48;
const clip = (t: string) => (t.length > OPTION_TITLE_LENGTH ? `${t.slice(0, OPTION_TITLE_LENGTH - 1)}…` : t);

const minutes = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const seconds = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/**
 * "title · date" per thread. Two conversations with the same title differ by their date; when they also share
 * the minute, the seconds tell them apart.
 */
export function threadOptionLabels(threads: readonly ThreadSummary[], untitled: string): Map<string, string> {
  const label = (t: ThreadSummary, f: Intl.DateTimeFormat) =>
    `${clip(t.title ?? untitled)} · ${f.format(new Date(t.createdAt))}`;
  const counts = new Map<string, number>();
  for (const t of threads) {
    const l = label(t, minutes);
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return new Map(
    threads.map((t) => {
      const l = label(t, minutes);
      return [t.threadId, (counts.get(l) ?? 0) > 1 ? label(t, seconds) : l];
    }),
  );
}

type Mode = { kind: "pick" } | { kind: "rename"; title: string } | { kind: "remove" };

/** The conversation picker: switch, start, rename and delete conversations. Fits a 320 px wide column. */
export function ThreadBar({
  threads,
  labels: labelsProp,
}: {
  threads: UseThreadsResult;
  labels?: Partial<ThreadBarLabels> | undefined;
}) {
  const labels = { ...defaultThreadBarLabels, ...labelsProp };
  const [mode, setMode] = useState<Mode>({ kind: "pick" });
  const [error, setError] = useState<string | null>(null);
  const current = threads.threads.find((t) => t.threadId === threads.selectedId) ?? null;
  const options = threadOptionLabels(threads.threads, labels.untitledThread);
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  const back = () => {
    setError(null);
    setMode({ kind: "pick" });
  };
  // Cancel and the failure message are shared by the rename and the delete rows.
  const tail = (
    <>
      <button type="button" className="rk-btn" onClick={back}>
        {labels.cancel}
      </button>
      {error ? (
        <p role="alert" className="rk-bad rk-full">
          {error}
        </p>
      ) : null}
    </>
  );

  if (mode.kind === "rename" && current) {
    return (
      <form
        className="rk-threads"
        onSubmit={(e) => {
          e.preventDefault();
          const title = mode.title.trim();
          if (title) threads.rename(current.threadId, title).then(back, fail);
        }}
      >
        <input
          className="rk-input rk-grow"
          aria-label={labels.renameField}
          value={mode.title}
          maxLength={200}
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field
          autoFocus
          onChange={(e) => setMode({ kind: "rename", title: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === "Escape") back();
          }}
        />
        <button type="submit" className="rk-btn rk-btn-primary" disabled={!mode.title.trim()}>
          {labels.save}
        </button>
        {tail}
      </form>
    );
  }

  if (mode.kind === "remove" && current) {
    return (
      <fieldset className="rk-threads rk-plain" aria-label={labels.remove}>
        <span className="rk-grow rk-ellipsis">
          {labels.confirmRemove(current.title ?? labels.untitledThread)}
        </span>
        <button
          type="button"
          className="rk-btn rk-btn-danger"
          onClick={() => threads.remove(current.threadId).then(back, fail)}
        >
          {labels.remove}
        </button>
        {tail}
      </fieldset>
    );
  }

  return (
    <div className="rk-threads">
      <label className="rk-sr" htmlFor="rk-thread-picker">
        {labels.threadPicker}
      </label>
      <select
        id="rk-thread-picker"
        className="rk-input rk-grow rk-ellipsis"
        value={threads.selectedId ?? ""}
        title={current?.title ?? undefined}
        onChange={(e) => threads.select(e.target.value || null)}
      >
        {threads.selectedId && !current ? (
          <option value={threads.selectedId}>{labels.newThread}</option>
        ) : null}
        {threads.threads.map((t) => (
          <option key={t.threadId} value={t.threadId}>
            {options.get(t.threadId)}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="rk-btn rk-icon"
        aria-label={labels.rename}
        title={labels.rename}
        disabled={!current}
        onClick={() => current && setMode({ kind: "rename", title: current.title ?? "" })}
      >
        <Icon name="edit" />
      </button>
      <button
        type="button"
        className="rk-btn rk-icon rk-btn-danger"
        aria-label={labels.remove}
        title={labels.remove}
        disabled={!current}
        onClick={() => setMode({ kind: "remove" })}
      >
        <Icon name="trash" />
      </button>
      <button
        type="button"
        className="rk-btn rk-icon"
        aria-label={labels.newThread}
        title={labels.newThread}
        onClick={() => {
          threads.startNew();
          void threads.reload();
        }}
      >
        <Icon name="plus" />
      </button>
    </div>
  );
}
