/* Home page charts (issue 7). Draws the counts of #gc-home-data with Chart.js, which the site
 * serves itself from /vendor (copied from npm by scripts/install.sh). The same numbers are in
 * the lists beside each chart, so the page reads fine without this script. */
(function () {
  'use strict';

  var PALETTE = ['#1f5fa8', '#d9822b', '#3a9d5d', '#b83b5e', '#6c5ba7', '#2a9fb5',
                 '#8d6e3f', '#c94f2c', '#5b7d2e', '#7a7a7a', '#a8326e', '#2f6f6f'];
  // Which charts are parts of a whole (doughnut) and which are rankings (bars).
  var DOUGHNUT = {'class': true, 'share': true, 'open': true};

  function draw(chart) {
    var canvas = document.querySelector('canvas[data-gc-chart="' + chart.id + '"]');
    if (!canvas || !window.Chart) { return; }
    var labels = chart.items.map(function (i) { return i.label; });
    var counts = chart.items.map(function (i) { return i.count; });
    var urls = chart.items.map(function (i) { return i.url; });
    var doughnut = DOUGHNUT[chart.id] === true;
    var instance = new window.Chart(canvas, {
      type: doughnut ? 'doughnut' : 'bar',
      data: {
        labels: labels,
        datasets: [{
          label: chart.title,
          data: counts,
          // a level keeps its badge's colour (item.colour, from the vocabulary)
          backgroundColor: doughnut ? chart.items.map(function (item, n) {
            return item.colour || PALETTE[n % PALETTE.length];
          }) : PALETTE[0]
        }]
      },
      options: {
        indexAxis: doughnut ? undefined : 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {legend: {display: doughnut, position: 'bottom'}},
        scales: doughnut ? {} : {x: {beginAtZero: true, ticks: {precision: 0}}},
        // A click on a slice or bar opens the matching search, like the list links do.
        onClick: function (evt, elements) {
          if (elements.length && urls[elements[0].index]) {
            window.location.href = urls[elements[0].index];
          }
        }
      }
    });
    canvas.setAttribute('data-gc-drawn', 'true');
    return instance;
  }

  function init() {
    var node = document.getElementById('gc-home-data');
    if (!node) { return; }
    var charts = JSON.parse(node.textContent || '[]');
    charts.forEach(function (chart) {
      if (chart.items && chart.items.length) { draw(chart); }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
