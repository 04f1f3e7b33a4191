import { describe, expect, it } from "vitest";
import { fromRunEventRow, InvalidRunEventError, toRunEventRow } from "../src/runs/stored-event.js";

const createdAt = new Date(0);
const started = {
  type: "run_started",
  runId: "run-1",
  threadId: "t-1",
  tenantId: null,
  timestamp: 0,
} as const;

describe("run_events rows", () => {
  it("round-trip: the row's data is the event, its type the event's type", () => {
    const row = toRunEventRow({ seq: 1, event: started });
    expect(row).toEqual({ seq: 1, type: "run_started", data: started });
    expect(fromRunEventRow("run-1", { ...row, createdAt })).toEqual({ seq: 1, event: started });
  });

  it("are validated when read: a row that is no agent event is a typed error naming it", () => {
    const bad = fromRunEventRow("run-1", { seq: 7, type: "thought", data: { type: "thought" }, createdAt });
    expect(bad).toBeInstanceOf(InvalidRunEventError);
    expect(bad).toMatchObject({ runId: "run-1", seq: 7, type: "thought" });
    expect((bad as Error).message).toMatch(
      /Event 7 \(thought\) of run run-1 is not a valid agent event: .*text/,
    );
  });

  it("reject a row whose type column disagrees with its data", () => {
    const bad = fromRunEventRow("run-1", { seq: 2, type: "run_error", data: started, createdAt });
    expect(bad).toBeInstanceOf(InvalidRunEventError);
    expect((bad as Error).message).toMatch(/"run_started" event/);
  });
});
