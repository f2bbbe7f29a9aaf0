// One line under the canvas for what the editor has to say, and toasts for outcomes.
// A message stays until the person's next action (a key or a click), so a refusal is never
// wiped by an autosave or a re-analysis; errors look different from information.

import { toast } from "../toast.js";

export function installMessages(ed) {
  const line = document.getElementById("message");
  // Capture phase: the next action clears the line before its own handler may set a new one.
  const clear = (event) => {
    if (event.type === "keydown" && ["Shift", "Control", "Alt", "Meta"].includes(event.key)) return;
    if (line.dataset.kind) say(ed, "");
  };
  window.addEventListener("keydown", clear, true);
  window.addEventListener("pointerdown", clear, true);
}

// `kind`: "info" (neutral) or "error" (red, with a ✕ so it is not colour alone).
export function say(ed, text, kind = "info") {
  const line = document.getElementById("message");
  line.textContent = text ? `${kind === "error" ? "✕ " : ""}${text}` : "";
  if (text) line.dataset.kind = kind;
  else delete line.dataset.kind;
}

export function notify(text, kind = "info") {
  toast(text, { kind });
}
