// ltobms report, the page script: draws one board's charts with uPlot (inlined before this script)
// and switches boards. Every number in the summary is already in the HTML; this only draws.
// After each chart is drawn its element carries what was drawn, for tests and curious readers:
//   data-series="v_batt,v_load"  data-points="180,180"  (points inside the visible x range)
//   data-plot='{"left":..,"top":..,"width":..,"height":..}'  (the plot area in page CSS pixels)
//   data-bands='[{"state":"UVLO","left":..,"right":..,"rgb":[r,g,b]}]'  (lockout bands as drawn)
// and <body data-drawn="N"> counts the charts drawn.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var charts = [];
  var BAND_ALPHA = 0.2;

  // State colours come from the stylesheet (.state-NAME), so the legend and the charts agree.
  var colourCache = {};
  function stateRgb(name) {
    if (colourCache[name]) return colourCache[name];
    var probe = document.createElement('span');
    probe.className = 'state-' + name;
    probe.style.display = 'none';
    document.body.appendChild(probe);
    var m = /(\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).backgroundColor) || [0, 128, 128, 128];
    probe.remove();
    return (colourCache[name] = [Number(m[1]), Number(m[2]), Number(m[3])]);
  }
  function rgba(rgb, a) {
    return 'rgba(' + rgb.join(',') + ',' + a + ')';
  }

  // Local time in the summary: <time datetime="ISO"> written in UTC by the generator.
  function localTimes() {
    document.querySelectorAll('time[datetime]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      el.textContent = d.toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    });
  }

  // Lockout bands (tinted, named) and a thin strip of every state along the bottom of the plot.
  function stateBandsPlugin(board, labelBands) {
    function draw(u) {
      var ctx = u.ctx;
      var box = u.bbox;
      var px = uPlot.pxRatio;
      var t = board.t;
      ctx.save();
      ctx.beginPath();
      ctx.rect(box.left, box.top, box.width, box.height);
      ctx.clip();
      var strip = Math.round(5 * px);
      // One rectangle per run of the same state (per frame, rounding leaves hairline gaps).
      for (var i = 0; i < t.length; ) {
        var j = i + 1;
        while (j < t.length && board.state[j] === board.state[i]) j++;
        var x0 = u.valToPos(t[i], 'x', true);
        var x1 = u.valToPos(t[Math.min(j, t.length - 1)], 'x', true);
        ctx.fillStyle = rgba(stateRgb(data.states[board.state[i]]), 0.9);
        ctx.fillRect(x0, box.top + box.height - strip, Math.max(1, x1 - x0), strip);
        i = j;
      }
      var drawn = [];
      board.episodes.forEach(function (e) {
        var rgb = stateRgb(e.state);
        var a = Math.max(box.left, u.valToPos(e.from, 'x', true));
        var b = Math.min(box.left + box.width, u.valToPos(e.to, 'x', true));
        if (b <= a) return;
        ctx.fillStyle = rgba(rgb, BAND_ALPHA);
        ctx.fillRect(a, box.top, b - a, box.height - strip);
        if (labelBands) {
          ctx.fillStyle = rgba(rgb, 1);
          ctx.font = 'bold ' + Math.round(12 * px) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.fillText(e.state, a + 4 * px, box.top + 4 * px);
        }
        drawn.push({ state: e.state, a: a, b: b, rgb: rgb });
      });
      ctx.restore();
      u._bands = drawn;
    }
    return { hooks: { drawClear: [draw] } };
  }

  // What the chart shows, written onto its element once uPlot has drawn it.
  function recordDrawn(u, keys) {
    var min = u.scales.x.min;
    var max = u.scales.x.max;
    var counts = keys.map(function (_, k) {
      var xs = u.data[0];
      var ys = u.data[k + 1];
      var n = 0;
      for (var i = 0; i < xs.length; i++) if (xs[i] >= min && xs[i] <= max && ys[i] != null) n++;
      return n;
    });
    var rect = u.over.getBoundingClientRect();
    var px = uPlot.pxRatio;
    var el = u.root.parentNode;
    el.dataset.series = keys.join(',');
    el.dataset.points = counts.join(',');
    el.dataset.plot = JSON.stringify({ left: rect.left + scrollX, top: rect.top + scrollY, width: rect.width, height: rect.height });
    el.dataset.bands = JSON.stringify(
      (u._bands || []).map(function (b) {
        var bg = [255, 255, 255];
        return {
          state: b.state,
          left: rect.left + scrollX + (b.a - u.bbox.left) / px,
          right: rect.left + scrollX + (b.b - u.bbox.left) / px,
          rgb: b.rgb.map(function (c, i) { return Math.round(c * BAND_ALPHA + bg[i] * (1 - BAND_ALPHA)); }),
        };
      }),
    );
    document.body.dataset.drawn = String(document.querySelectorAll('.chart[data-points]').length);
  }

  var PANELS = [
    { title: 'Battery and load voltage', unit: 'V', keys: ['v_batt', 'v_load'], names: ['battery', 'load'], colours: ['#2f6fd6', '#e8590c'], digits: 3, labelBands: true },
    { title: 'Current (+ discharging, − charging)', unit: 'mA', keys: ['current'], names: ['current'], colours: ['#2b8a3e'], digits: 0 },
    { title: 'Temperature', unit: '°C', keys: ['temp'], names: ['temperature'], colours: ['#c92a2a'], digits: 1 },
    { title: 'Charge', unit: 'mAh', keys: ['charge'], names: ['charge'], colours: ['#7048e8'], digits: 0 },
  ];

  function chartWidth(container) {
    return Math.max(280, container.clientWidth);
  }
  function chartHeight() {
    return window.innerWidth < 600 ? 170 : 220;
  }

  function render(index) {
    var board = data.boards[index];
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var container = document.getElementById('charts');
    container.textContent = '';
    document.body.dataset.drawn = '0';
    document.querySelectorAll('section.summary').forEach(function (s) {
      s.hidden = s.dataset.series !== board.series;
    });
    PANELS.forEach(function (panel) {
      var wrap = document.createElement('div');
      wrap.className = 'chart';
      wrap.dataset.panel = panel.keys.join('+');
      var h = document.createElement('h3');
      h.textContent = panel.title + ' (' + panel.unit + ')';
      wrap.appendChild(h);
      container.appendChild(wrap);
      var series = [{}].concat(
        panel.keys.map(function (key, k) {
          return {
            label: panel.names[k],
            stroke: panel.colours[k],
            width: 1.5,
            value: function (_u, v) { return v == null ? '–' : v.toFixed(panel.digits) + ' ' + panel.unit; },
          };
        }),
      );
      var opts = {
        width: chartWidth(container),
        height: chartHeight(),
        series: series,
        scales: { x: { time: true } },
        axes: [{}, { size: 56, values: function (_u, vals) { return vals.map(function (v) { return v.toFixed(panel.digits > 1 ? 2 : 0); }); } }],
        cursor: { sync: { key: 'ltobms' } },
        legend: { live: true },
        plugins: [stateBandsPlugin(board, panel.labelBands === true)],
        hooks: { draw: [function (u) { recordDrawn(u, panel.keys); }] },
      };
      var columns = [board.t].concat(panel.keys.map(function (key) { return board[key]; }));
      charts.push(new uPlot(opts, columns, wrap));
    });
    fit();
  }

  // A page that grew a scrollbar while the charts were added is narrower than the first ones.
  function fit() {
    var container = document.getElementById('charts');
    charts.forEach(function (c) {
      var w = chartWidth(container);
      var h = chartHeight();
      if (c.width !== w || c.height !== h) c.setSize({ width: w, height: h });
    });
  }

  // The board shown is in the address (#board=N), so a link or a reload keeps it.
  var select = document.getElementById('board');
  function boardFromHash() {
    var m = /board=(\d+)/.exec(location.hash);
    var n = m ? Number(m[1]) : 0;
    return n < data.boards.length ? n : 0;
  }
  select.addEventListener('change', function () {
    location.hash = 'board=' + select.value;
  });
  window.addEventListener('hashchange', function () {
    select.value = String(boardFromHash());
    render(boardFromHash());
  });
  var resizeTimer;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fit, 100);
  });
  localTimes();
  select.value = String(boardFromHash());
  render(boardFromHash());
})();
