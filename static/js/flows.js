// The flow list: create, import, rename, duplicate and delete flows through the API.

import { callApi } from "./api.js";
import { el as element } from "./dom.js";
import { problemsOf } from "./editor/validate.js";

const message = document.getElementById("flows-message");

async function call(url, method, body) {
  const { response, data } = await callApi(url, { method, body });
  if (!response.ok) throw new Error(data?.message ?? `The server answered ${response.status}.`);
  return data;
}

function fail(error) {
  message.textContent = error.message;
}

document.getElementById("new-flow").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = document.getElementById("new-flow-name").value.trim();
  try {
    const flow = await call("/api/flows/", "POST", { name });
    window.location.href = `/flows/${flow.id}/`;
  } catch (error) {
    fail(error);
  }
});

// Every problem in the file at once, as a list under its name; the input is emptied so the
// same file can be chosen again once it is fixed.
function importProblems(file, problems) {
  message.replaceChildren(
    `${file.name} was not imported: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}.`,
    element("ul", { className: "import-problems" }, ...problems.map((p) => element("li", {}, p))),
  );
}

const importInput = document.getElementById("import-file");
importInput.addEventListener("change", async () => {
  const file = importInput.files[0];
  if (!file) return;
  importInput.value = "";
  message.textContent = "";
  let document_;
  try {
    document_ = JSON.parse(await file.text());
  } catch {
    message.textContent = `${file.name} is not a JSON file.`;
    return;
  }
  const problems = problemsOf(document_);
  if (problems.length) {
    importProblems(file, problems);
    return;
  }
  try {
    const flow = await call("/api/flows/import/", "POST", document_);
    window.location.href = `/flows/${flow.id}/`;
  } catch (error) {
    importProblems(file, [error.message]);
  }
});

const deleteDialog = document.getElementById("delete-dialog");
const renameDialog = document.getElementById("rename-dialog");
let current = null;

for (const row of document.querySelectorAll("tr[data-flow]")) {
  row.addEventListener("click", async (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (!action) return;
    current = row;
    if (action === "delete") {
      document.getElementById("delete-name").textContent = row.dataset.name;
      deleteDialog.showModal();
    } else if (action === "rename") {
      document.getElementById("rename-name").value = row.dataset.name;
      document.getElementById("rename-error").textContent = "";
      renameDialog.showModal();
    } else if (action === "duplicate") {
      try {
        await call(`/api/flows/${row.dataset.flow}/duplicate/`, "POST");
        window.location.reload();
      } catch (error) {
        fail(error);
      }
    }
  });
}

document.getElementById("delete-cancel").addEventListener("click", () => deleteDialog.close());
document.getElementById("delete-confirm").addEventListener("click", async () => {
  try {
    await call(`/api/flows/${current.dataset.flow}/`, "DELETE");
    deleteDialog.close();
    window.location.reload();
  } catch (error) {
    deleteDialog.close();
    fail(error);
  }
});
document.getElementById("rename-cancel").addEventListener("click", () => renameDialog.close());
document.getElementById("rename-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = document.getElementById("rename-name").value.trim();
  try {
    await call(`/api/flows/${current.dataset.flow}/`, "PATCH", { name });
    renameDialog.close();
    window.location.reload();
  } catch (error) {
    document.getElementById("rename-error").textContent = error.message;
  }
});
