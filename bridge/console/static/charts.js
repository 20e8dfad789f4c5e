// Draws the report charts with the bundled Chart.js from the JSON the page carries.
const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#65a30d'];

function chartData() {
  return JSON.parse(document.getElementById('chart-data').textContent);
}

function bars(id, labels, datasets, type, stacked) {
  const canvas = document.getElementById(id);
  if (!canvas || typeof Chart === 'undefined') return;
  datasets.forEach((set, i) => {
    set.backgroundColor = PALETTE[i % PALETTE.length];
    set.borderColor = PALETTE[i % PALETTE.length];
  });
  new Chart(canvas, {
    type: type,
    data: {labels: labels, datasets: datasets},
    options: {
      animation: false,
      responsive: true,
      scales: {x: {stacked: !!stacked}, y: {stacked: !!stacked, beginAtZero: true}},
    },
  });
}
