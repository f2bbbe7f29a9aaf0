// Three-point estimates are checked as a whole row, never one field at a time: people type
// optimistic, likely, pessimistic left to right, so a row passes through states such as
// 2 / 1 / 1 on its way to 2 / 4 / 8. The typed values stay on screen; only a complete,
// ordered row is stored.

export const ESTIMATE_FIELDS = ["optimistic", "likely", "pessimistic"];

// `raw` holds what the three inputs show (strings or numbers). Returns
// `{ estimate, errors }`: the numbers when the row is valid (errors empty), else a message
// for each field at fault and `estimate` null.
export function checkEstimate(raw) {
  const errors = {};
  const values = {};
  for (const field of ESTIMATE_FIELDS) {
    const text = String(raw[field] ?? "").trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) errors[field] = "Enter a number.";
    else if (value < 0) errors[field] = "A duration cannot be negative.";
    else values[field] = value;
  }
  if (!Object.keys(errors).length) {
    const { optimistic, likely, pessimistic } = values;
    if (optimistic > likely) errors.optimistic = "Optimistic must not exceed likely.";
    if (likely > pessimistic) errors.pessimistic = "Pessimistic must be at least likely.";
    if (optimistic > pessimistic && !errors.pessimistic) errors.pessimistic = "Pessimistic must be at least optimistic.";
  }
  return Object.keys(errors).length ? { estimate: null, errors } : { estimate: values, errors };
}

// A row is still being typed while focus is inside it: callers check when focus leaves
// the row (or on Enter), not on every keystroke.
export function leavesRow(event, row) {
  return !row.contains(event.relatedTarget);
}
