// Toasts: the outcome of something a person did ("Paused", "Run started") or why it was
// refused, in one polite live region at the bottom right. They never replace what a page
// shows about its own state (a connection badge, a save state).

const LIFETIME = { info: 4000, error: 8000 };

function region() {
  let box = document.getElementById("toasts");
  if (!box) {
    box = document.createElement("div");
    box.id = "toasts";
    box.className = "toasts";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    document.body.append(box);
  }
  return box;
}

export function toast(message, { kind = "info" } = {}) {
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  const text = document.createElement("span");
  text.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => item.remove());
  item.append(text, close);
  region().append(item);
  setTimeout(() => item.remove(), LIFETIME[kind] ?? LIFETIME.info);
  return item;
}
