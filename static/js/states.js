// The run pages' share of the visual language (UX.md): every task state and run status has a
// colour, an icon and a word, so nothing is told by colour alone. The run list, one run's
// dashboard and the compare page all read them from here.

// The same fill colours as UX.md's table.
export const TASK_STATES = {
  pending: { colour: "#e5e7eb", icon: "·", label: "pending" },
  ready: { colour: "#bae6fd", icon: "○", label: "ready" },
  running: { colour: "#60a5fa", icon: "▶", label: "running" },
  succeeded: { colour: "#86efac", icon: "✓", label: "succeeded" },
  failed: { colour: "#fca5a5", icon: "✕", label: "failed" },
  retrying: { colour: "#fcd34d", icon: "↻", label: "retrying" },
  skipped: { colour: "#f3f4f6", icon: "↷", label: "skipped" },
  cancelled: { colour: "#9ca3af", icon: "⊘", label: "cancelled" },
  compensating: { colour: "#d8b4fe", icon: "⟲", label: "compensating" },
  compensated: { colour: "#ffffff", icon: "⟲✓", label: "compensated" },
};

export const RUN_STATUSES = {
  running: { icon: "▶", label: "running" },
  paused: { icon: "⏸", label: "paused" },
  succeeded: { icon: "✓", label: "succeeded" },
  failed: { icon: "✕", label: "failed" },
  cancelled: { icon: "⊘", label: "cancelled" },
};

// Run statuses (and a run event's states) after which nothing more happens.
export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export function taskState(state) {
  return TASK_STATES[state] ?? { colour: TASK_STATES.pending.colour, icon: "?", label: state ?? "unknown" };
}

export function runStatus(status) {
  return RUN_STATUSES[status] ?? { icon: "?", label: status ?? "unknown" };
}

// A class-safe token for a state name from the server ("state-" + it).
export function stateClass(state) {
  return `state-${String(state ?? "unknown").replace(/[^a-z_]/g, "")}`;
}
