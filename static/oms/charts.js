// Charts of the dashboard and the sales analytics page (Chart.js from node_modules). The page
// carries its data as JSON (<script type="application/json">, json_script): the CSP forbids
// inline script. Numbers are formatted in the page's language; every chart is also a table.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var lang = document.documentElement.lang || "en";
  var styles = getComputedStyle(document.documentElement);
  var colour = function (name, fallback) { return (styles.getPropertyValue(name) || "").trim() || fallback; };
  var BLUE = colour("--bs-primary", "#0d6efd");
  var TEAL = colour("--bs-teal", "#20c997");
  var GREY = colour("--bs-secondary", "#6c757d");
  var PALETTE = [BLUE, TEAL, "#6f42c1", "#fd7e14", "#d63384", "#198754", "#0dcaf0", "#ffc107", GREY, "#6610f2"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var counts = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  function moneyFormat(currency) {
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency || "CNY", currencyDisplay: "narrowSymbol", maximumFractionDigits: 0 });
    } catch (e) {
      return counts;
    }
  }
  function canvas(name) { return document.querySelector('canvas[data-chart="' + name + '"]'); }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  function dateLabel(iso) {
    var parts = iso.split("-");
    return new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2])).toLocaleDateString(lang, { month: "numeric", day: "numeric", timeZone: "UTC" });
  }

  function bars(node, data, money, label, horizontal) {
    new Chart(node, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: label, data: data.revenue, backgroundColor: PALETTE }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return money.format(c.raw); } } } },
        scales: horizontal
          ? { x: { ticks: { callback: function (v) { return money.format(v); } } }, y: { ticks: { autoSkip: false } } }
          : { y: { ticks: { callback: function (v) { return money.format(v); } } } },
      },
    });
  }

  var dashboard = read("dashboard-chart-data");
  if (dashboard) {
    var money = moneyFormat(dashboard.currency);
    var labels = dashboard.labels;
    var series = canvas("series");
    if (series) {
      new Chart(series, {
        data: {
          labels: dashboard.series.labels.map(dateLabel),
          datasets: [
            { type: "bar", label: labels.revenue, data: dashboard.series.revenue, backgroundColor: BLUE + "99", yAxisID: "revenue", order: 2 },
            { type: "line", label: labels.orders, data: dashboard.series.orders, borderColor: TEAL, backgroundColor: TEAL, yAxisID: "orders", pointRadius: 0, tension: 0.2, order: 1 },
          ],
        },
        options: {
          interaction: { mode: "index", intersect: false },
          plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + (c.dataset.yAxisID === "revenue" ? money.format(c.raw) : counts.format(c.raw)); } } } },
          scales: {
            revenue: { position: "left", beginAtZero: true, ticks: { callback: function (v) { return money.format(v); } } },
            orders: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0, callback: function (v) { return counts.format(v); } } },
          },
        },
      });
    }
    if (canvas("channels")) {
      new Chart(canvas("channels"), {
        type: "doughnut",
        data: { labels: dashboard.channels.labels, datasets: [{ data: dashboard.channels.revenue, backgroundColor: PALETTE }] },
        options: { plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { label: function (c) { return c.label + ": " + money.format(c.raw); } } } } },
      });
    }
    if (canvas("products")) bars(canvas("products"), dashboard.products, money, labels.revenue, true);
    if (canvas("regions")) bars(canvas("regions"), dashboard.regions, money, labels.revenue, true);
  }

  var sales = read("sales-chart-data");
  var salesCanvas = canvas("sales");
  if (sales && salesCanvas) {
    var salesMoney = moneyFormat(sales.currency);
    var datasets = [{ label: sales.revenueLabel, data: sales.revenue, backgroundColor: BLUE + "cc", borderColor: BLUE, pointRadius: 2, tension: 0.2 }];
    if (sales.previous) {
      datasets.push({ label: sales.previousLabel, data: sales.previous, backgroundColor: GREY + "88", borderColor: GREY, borderDash: [4, 4], pointRadius: 0, tension: 0.2 });
    }
    new Chart(salesCanvas, {
      type: sales.kind,
      data: { labels: sales.labels, datasets: datasets },
      options: {
        indexAxis: sales.kind === "bar" ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: !!sales.previous }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + salesMoney.format(c.raw); } } } },
        scales: sales.kind === "bar"
          ? { x: { beginAtZero: true, ticks: { callback: function (v) { return salesMoney.format(v); } } }, y: { ticks: { autoSkip: false } } }
          : { y: { beginAtZero: true, ticks: { callback: function (v) { return salesMoney.format(v); } } } },
      },
    });
  }
})();
