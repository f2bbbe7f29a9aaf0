// A Gantt chart as a Chart.js configuration: one floating bar per task, in start order.

export const CRITICAL = "#c2410c";

export function ganttConfig({ tasks, label, colour, critical = new Set(), unit, max }) {
  // tasks: {key: [start, finish]}
  const keys = Object.keys(tasks).sort(
    (a, b) => tasks[a][0] - tasks[b][0] || a.localeCompare(b, "en", { numeric: true }),
  );
  const number = (value) => Number(value).toLocaleString("en-US", { maximumFractionDigits: 2 });
  return {
    keys,
    config: {
      type: "bar",
      data: {
        labels: keys.map(label),
        datasets: [
          {
            label: "Planned",
            data: keys.map((k) => tasks[k]),
            backgroundColor: keys.map(colour),
            borderColor: keys.map((k) => (critical.has(k) ? CRITICAL : "transparent")),
            borderWidth: keys.map((k) => (critical.has(k) ? 3 : 0)),
            borderSkipped: false,
          },
        ],
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { type: "linear", min: 0, max, title: { display: true, text: unit } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (context) => {
                const [start, finish] = context.raw;
                const key = keys[context.dataIndex];
                return `${number(start)} → ${number(finish)} ${unit}${critical.has(key) ? " · critical path" : ""}`;
              },
            },
          },
        },
      },
    },
  };
}
