// The run list: start a run, and pick two to four runs to compare.

import { csrfToken } from "./common.js";

const csrf = csrfToken();
const form = document.getElementById("start-run");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    blueprint: form.blueprint.value,
    failure_policy: form.failure_policy.value,
    time_scale: Number(form.time_scale.value),
    max_retries: Number(form.max_retries.value),
    seed: form.seed.value === "" ? null : Number(form.seed.value),
  };
  const response = await fetch(form.dataset.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    document.getElementById("run-error").textContent = data.message ?? `The server answered ${response.status}.`;
    return;
  }
  window.location.href = `/runs/${data.id}/`;
});

const picks = [...document.querySelectorAll(".compare-pick")];
for (const pick of picks) {
  pick.addEventListener("change", () => {
    const chosen = picks.filter((p) => p.checked).map((p) => p.value);
    document.getElementById("compare-runs").value = chosen.join(",");
    document.getElementById("compare").disabled = chosen.length < 2 || chosen.length > 4;
  });
}
