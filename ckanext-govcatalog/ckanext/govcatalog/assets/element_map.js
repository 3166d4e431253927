/* The repeated-collection map's charts (templates/govcatalog/elements/map.html). Draws the numbers
 * of #gc-map-data with Chart.js, served by the site itself from /vendor. The same numbers are in
 * the tables below each chart, so the page reads fine without this script. */
(function () {
  'use strict';

  var PALETTE = ['#b83b5e', '#d9822b', '#1f5fa8', '#3a9d5d', '#6c5ba7', '#7a7a7a'];

  function canvas(id) {
    return document.querySelector('canvas[data-gc-map-chart="' + id + '"]');
  }

  function bars(node, labels, datasets, stacked) {
    if (!node || !window.Chart || !labels.length) { return; }
    new window.Chart(node, {
      type: 'bar',
      data: {labels: labels, datasets: datasets},
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {legend: {display: true, position: 'bottom'}},
        scales: {
          x: {beginAtZero: true, stacked: stacked, ticks: {precision: 0}},
          y: {stacked: stacked}
        }
      }
    });
    node.setAttribute('data-gc-drawn', 'true');
  }

  function init() {
    var node = document.getElementById('gc-map-data');
    if (!node) { return; }
    var data = JSON.parse(node.textContent || '{}');
    var el = data.elements || {labels: []};
    bars(canvas('elements'), el.labels, [
      {label: data.titles.departments, data: el.departments, backgroundColor: PALETTE[0]},
      {label: data.titles.collections, data: el.collections, backgroundColor: PALETTE[2]}
    ], false);
    var pl = data.places || {labels: [], levels: []};
    bars(canvas('places'), pl.labels, pl.levels.map(function (level, i) {
      return {label: level.label, data: level.counts, backgroundColor: PALETTE[i % PALETTE.length]};
    }), true);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
