// Keys. Shortcuts never fire while focus is in a text field, a select or a dialog; Tab,
// Enter and Delete act on the canvas only when the canvas has focus (elsewhere they do what
// they always do), and Tab leaves the canvas when nothing is selected.

import { selectedTask } from "./commands.js";
import { setTool } from "./canvas.js";

function typing(target) {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    Boolean(target?.isContentEditable)
  );
}

const STRENGTH_KEYS = { 1: "hard", 2: "soft", 3: "none" };

export function installKeyboard(ed) {
  const canvas = ed.cy.container();
  document.addEventListener("keydown", (event) => {
    const ctrl = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (ctrl && key === "s") {
      event.preventDefault();
      ed.run("save");
      return;
    }
    if (ctrl && key === "f") {
      event.preventDefault();
      document.getElementById("search").focus();
      document.getElementById("search").select();
      return;
    }
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const onCanvas = event.target === canvas || event.target === document.body;
    if (ctrl && key === "z") {
      event.preventDefault();
      ed.run(event.shiftKey ? "redo" : "undo");
    } else if (ctrl && key === "y") {
      event.preventDefault();
      ed.run("redo");
    } else if (ctrl && key === "c" && onCanvas) ed.run("copy");
    else if (ctrl && key === "v" && onCanvas) ed.run("paste");
    else if (ctrl && key === "a" && onCanvas) {
      event.preventDefault();
      ed.cy.elements().select();
    } else if (ctrl || event.altKey) return;
    else if ((event.key === "Delete" || event.key === "Backspace") && onCanvas) {
      event.preventDefault();
      ed.run("delete");
    } else if (event.key === "Tab" && onCanvas && !event.shiftKey && selectedTask(ed)) {
      event.preventDefault();
      ed.run("append");
    } else if (event.key === "Enter" && onCanvas && selectedTask(ed)) {
      event.preventDefault();
      ed.run("sibling");
    } else if (event.key === "F2" && selectedTask(ed)) {
      event.preventDefault();
      ed.startRename(selectedTask(ed));
    } else if (event.key === "Escape" && onCanvas) {
      if (ed.tool !== "select") setTool(ed, "select");
      else ed.cy.elements().unselect();
    } else if (event.key in STRENGTH_KEYS) ed.run("strength", STRENGTH_KEYS[event.key]);
    else if (key === "n") ed.run("add-task");
    else if (key === "l") ed.run("layout");
    else if (key === "f") ed.run("fit");
    else if (key === "p") ed.run("add-phase");
    else if (key === "c") setTool(ed, "connect");
    else if (key === "v") setTool(ed, "select");
    else if (event.key === "?") ed.run("shortcuts");
  });
}
