// Tables that behave like a spreadsheet: arrow keys move between cells in all directions,
// Enter (or F2) edits a cell and Enter again leaves it for the cell below, Escape undoes
// the edit, typing over a cell replaces it, and a block pasted from a spreadsheet fills
// the cells from the one in focus. Also: the "Undo" toast for removed rows.

import { el } from "../dom.js";

const FOCUSABLE = "input, select, button, textarea";

function cellOf(node) {
  return node.closest("td, th");
}

function focusCell(cell) {
  const target = cell?.querySelector(FOCUSABLE);
  if (!target) return false;
  target.dataset.editing = "";
  target.focus();
  if (target instanceof HTMLInputElement) target.select();
  return true;
}

function move(box, key) {
  const cell = cellOf(box);
  const row = cell.parentElement;
  const column = [...row.children].indexOf(cell);
  if (key === "ArrowUp" || key === "ArrowDown") {
    let next = key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    while (next && !next.children[column]?.querySelector(FOCUSABLE)) {
      next = key === "ArrowUp" ? next.previousElementSibling : next.nextElementSibling;
    }
    return next ? focusCell(next.children[column]) : false;
  }
  let next = key === "ArrowLeft" ? cell.previousElementSibling : cell.nextElementSibling;
  while (next && !next.querySelector(FOCUSABLE)) next = key === "ArrowLeft" ? next.previousElementSibling : next.nextElementSibling;
  return next ? focusCell(next) : false;
}

// The pasted text as rows of cells, without the trailing empty line spreadsheets add.
export function parseCells(text) {
  const lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
  return lines.map((line) => line.split("\t").map((c) => c.trim()));
}

// A first row is a header when every cell in it is a column name (any case), for example
// "Task<Tab>Needs"; it names the columns instead of becoming a row.
export function splitHeader(rows, names) {
  const known = new Set(names.map((n) => n.toLowerCase()));
  const first = rows[0]?.filter(Boolean) ?? [];
  if (first.length && first.every((c) => known.has(c.toLowerCase()))) {
    return { header: rows[0].map((c) => c.toLowerCase()), rows: rows.slice(1) };
  }
  return { header: null, rows };
}

// table: its tbody rows hold one control per cell. onPaste({ cells, row, column }) gets
// a multi-cell paste with the index of the row and column it starts at.
export function spreadsheet(table, { onPaste } = {}) {
  table.classList.add("spreadsheet");
  // A click on a cell selects it, as Tab and the arrow keys do (typing then replaces it);
  // a second click on the selected cell places the caret to edit.
  let fresh = null;
  table.addEventListener("pointerdown", (event) => {
    const box = event.target.closest?.("input");
    if (!box || box.type === "radio" || box.type === "checkbox") return;
    if (box === document.activeElement) box.dataset.editing = "true";
    else fresh = box;
  });
  table.addEventListener("mouseup", (event) => {
    if (fresh && event.target === fresh) event.preventDefault();
    fresh = null;
  });
  table.addEventListener("focusin", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.dataset.editing !== undefined) return;
    box.dataset.editing = "";
    box.select();
  });
  table.addEventListener("focusout", (event) => {
    if (event.target instanceof HTMLInputElement) delete event.target.dataset.editing;
  });
  table.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLElement) || !box.matches(FOCUSABLE) || !box.closest("tbody")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const editing = box.dataset.editing === "true";
    const key = event.key;
    if (key === "ArrowUp" || key === "ArrowDown" || ((key === "ArrowLeft" || key === "ArrowRight") && !editing)) {
      event.preventDefault();
      move(box, key);
    } else if (box instanceof HTMLInputElement && (key === "Enter" || key === "F2")) {
      event.preventDefault();
      if (editing && key === "Enter") {
        box.dispatchEvent(new Event("change", { bubbles: true }));
        if (!move(box, "ArrowDown")) box.dataset.editing = "";
      } else {
        box.dataset.editing = "true";
        box.dataset.before = box.value;
        const end = box.value.length;
        if (box.type === "text") box.setSelectionRange(end, end);
      }
    } else if (key === "Escape" && editing && box instanceof HTMLInputElement) {
      event.preventDefault();
      if (box.dataset.before !== undefined) box.value = box.dataset.before;
      box.dataset.editing = "";
      box.select();
    } else if (box instanceof HTMLInputElement && !editing && (key.length === 1 || key === "Backspace" || key === "Delete")) {
      box.dataset.before = box.value;
      box.dataset.editing = "true";
    }
  });
  if (onPaste) {
    table.addEventListener("paste", (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || !box.closest("tbody")) return;
      const text = event.clipboardData?.getData("text/plain") ?? "";
      if (!/[\t\n]/.test(text.replace(/[\r\n]+$/, ""))) return;
      event.preventDefault();
      const cell = cellOf(box);
      const row = cell.parentElement;
      onPaste({ cells: parseCells(text), row: [...row.parentElement.children].indexOf(row), column: [...row.children].indexOf(cell) });
    });
  }
  return table;
}

// A toast saying what was removed, with an Undo button (kept for ten seconds).
export function undoToast(message, onUndo) {
  let region = document.getElementById("toasts");
  if (!region) {
    region = el("div", { id: "toasts", className: "toasts" });
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  const item = el("div", { className: "toast toast-undo" });
  const undo = el("button", { type: "button", className: "toast-action", textContent: "Undo" });
  undo.addEventListener("click", () => {
    item.remove();
    onUndo();
  });
  const close = el("button", { type: "button", className: "toast-close", textContent: "×" });
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => item.remove());
  item.append(el("span", { textContent: message }), undo, close);
  region.append(item);
  setTimeout(() => item.remove(), 10000);
  return item;
}
