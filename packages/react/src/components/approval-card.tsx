import type { ChatApprovalDecision, ChatInterrupt } from "@ragkit/protocol";
import { useId, useState } from "react";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";
import { formatSql } from "./sql-text.js";

export interface ApprovalCardLabels {
  title: string;
  tool: string;
  approve: string;
  reject: string;
  edit: string;
  saveAndApprove: string;
  cancelEdit: string;
  rejectReason: string;
  invalidJson: string;
  approved: string;
  rejected: string;
}

export const defaultApprovalLabels: ApprovalCardLabels = {
  title: "Approval needed",
  tool: "Action",
  approve: "Approve",
  reject: "Reject",
  edit: "Edit arguments",
  saveAndApprove: "Approve with these arguments",
  cancelEdit: "Cancel",
  rejectReason: "Reason (optional)",
  invalidJson: "The arguments must be a JSON object.",
  approved: "Approved",
  rejected: "Rejected",
};

export interface ApprovalCardProps {
  /** The pending interrupt (`tool`, `args`, `reason`). */
  interrupt: Pick<ChatInterrupt, "tool" | "args" | "reason"> & { id?: string };
  /** Called once with the decision; may return a promise (buttons stay disabled until it settles). */
  onDecision: (decision: ChatApprovalDecision) => unknown;
  /** Shown instead of the buttons once decided (e.g. after a reload of an answered interrupt). */
  decided?: "approved" | "rejected" | null;
  labels?: Partial<ApprovalCardLabels>;
  theme?: RagKitTheme;
}

/** Human-in-the-loop approval: approve, reject (with a reason) or edit the arguments of a tool call. */
export function ApprovalCard({
  interrupt,
  onDecision,
  decided = null,
  labels: labelsProp,
  theme,
}: ApprovalCardProps) {
  const labels = { ...defaultApprovalLabels, ...labelsProp };
  const [mode, setMode] = useState<"view" | "edit" | "reject">("view");
  const [draft, setDraft] = useState(() => JSON.stringify(interrupt.args, null, 2));
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<"approved" | "rejected" | null>(decided);
  const ids = useId();

  const decide = async (decision: ChatApprovalDecision) => {
    setBusy(true);
    setError(null);
    try {
      await onDecision(decision);
      setOutcome(decision.type === "reject" ? "rejected" : "approved");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const saveEdit = () => {
    let args: unknown;
    try {
      args = JSON.parse(draft);
    } catch {
      args = null;
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      setError(labels.invalidJson);
      return;
    }
    void decide({ type: "edit", args: args as Record<string, unknown> });
  };

  return (
    <ThemeScope theme={theme}>
      <section className="rk-card" aria-labelledby={`${ids}-t`} data-approval={outcome ?? "pending"}>
        <p className="rk-title" id={`${ids}-t`}>
          {labels.title}
        </p>
        <p style={{ margin: "0 0 6px" }}>{interrupt.reason}</p>
        <p className="rk-muted" style={{ margin: 0 }}>
          {labels.tool}: <code>{interrupt.tool}</code>
        </p>
        {mode === "edit" && !outcome ? (
          <div>
            <label className="rk-sr" htmlFor={`${ids}-a`}>
              {labels.edit}
            </label>
            <textarea
              id={`${ids}-a`}
              className="rk-input"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              aria-invalid={error === labels.invalidJson}
            />
          </div>
        ) : (
          <ArgsView args={interrupt.args} />
        )}
        {mode === "reject" && !outcome ? (
          <div style={{ marginBottom: 6 }}>
            <label htmlFor={`${ids}-r`} className="rk-muted">
              {labels.rejectReason}
            </label>
            <input
              id={`${ids}-r`}
              className="rk-input"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
        ) : null}
        {error ? (
          <p className="rk-bad" role="alert">
            {error}
          </p>
        ) : null}
        {outcome ? (
          <p className={outcome === "approved" ? "rk-ok" : "rk-bad"} role="status">
            {outcome === "approved" ? labels.approved : labels.rejected}
          </p>
        ) : (
          <div className="rk-row">
            {mode === "edit" ? (
              <>
                <button type="button" className="rk-btn rk-btn-primary" disabled={busy} onClick={saveEdit}>
                  {labels.saveAndApprove}
                </button>
                <button type="button" className="rk-btn" disabled={busy} onClick={() => setMode("view")}>
                  {labels.cancelEdit}
                </button>
              </>
            ) : mode === "reject" ? (
              <>
                <button
                  type="button"
                  className="rk-btn rk-btn-danger"
                  disabled={busy}
                  onClick={() =>
                    void decide(
                      reason.trim() ? { type: "reject", reason: reason.trim() } : { type: "reject" },
                    )
                  }
                >
                  {labels.reject}
                </button>
                <button type="button" className="rk-btn" disabled={busy} onClick={() => setMode("view")}>
                  {labels.cancelEdit}
                </button>
              </>
            ) : (
              <>
                <button
                  type="button"
                  className="rk-btn rk-btn-primary"
                  disabled={busy}
                  onClick={() => void decide({ type: "approve" })}
                >
                  {labels.approve}
                </button>
                <button
                  type="button"
                  className="rk-btn rk-btn-danger"
                  disabled={busy}
                  onClick={() => setMode("reject")}
                >
                  {labels.reject}…
                </button>
                <button type="button" className="rk-btn" disabled={busy} onClick={() => setMode("edit")}>
                  {labels.edit}
                </button>
              </>
            )}
          </div>
        )}
      </section>
    </ThemeScope>
  );
}

/** A query reads as SQL, one clause per line and wrapped; other arguments as indented JSON. */
function ArgsView({ args }: { args: Record<string, unknown> }) {
  const { sql, ...rest } = args;
  if (typeof sql !== "string") return <pre className="rk-args">{JSON.stringify(args, null, 2)}</pre>;
  return (
    <>
      <pre className="rk-args rk-sql" data-sql="">
        <code>{formatSql(sql)}</code>
      </pre>
      {Object.keys(rest).length > 0 ? <pre className="rk-args">{JSON.stringify(rest, null, 2)}</pre> : null}
    </>
  );
}
