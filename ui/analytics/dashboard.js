// The leaders' dashboard: trend charts (Apache ECharts, only the parts used) and tables that
// sort when a header is clicked. The numbers come from the page (#trend-data), never computed here.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

function trendOption(points, labels) {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 40, right: 48, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: points.map((p) => p.start) },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }
    ],
    series: [
      { name: labels.received, type: 'bar', barMaxWidth: 56, data: points.map((p) => p.received), itemStyle: { color: '#0b3a66' } },
      { name: labels.settled, type: 'bar', barMaxWidth: 56, data: points.map((p) => p.settled), itemStyle: { color: '#1d7a3a' } },
      {
        name: labels.rate, type: 'line', yAxisIndex: 1, connectNulls: false,
        data: points.map((p) => p.rate), itemStyle: { color: '#b3141c' }
      }
    ]
  };
}

function startCharts() {
  const holder = document.getElementById('trend-chart');
  const source = document.getElementById('trend-data');
  if (!holder || !source) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(holder, null, { renderer: 'svg' });
  const buttons = document.querySelectorAll('[data-trend]');
  const show = (by) => {
    chart.setOption(trendOption(data[by], data.labels), true);
    buttons.forEach((button) => {
      const on = button.dataset.trend === by;
      button.setAttribute('aria-pressed', String(on));
      button.classList.toggle('secondary', !on);
    });
  };
  buttons.forEach((button) => button.addEventListener('click', () => show(button.dataset.trend)));
  show('month');
  window.addEventListener('resize', () => chart.resize());
}

function cellValue(row, index) {
  const cell = row.cells[index];
  const raw = cell.dataset.sort ?? cell.textContent.trim();
  const number = Number(raw.replace(',', '.'));
  return raw !== '' && raw !== '—' && !Number.isNaN(number) ? number : raw;
}

function makeSortable(table) {
  const headers = table.querySelectorAll('thead th');
  headers.forEach((th, index) => {
    const button = th.querySelector('button.sort');
    if (!button) return;
    button.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach((other) => other.setAttribute('aria-sort', 'none'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = cellValue(a, index);
        const y = cellValue(b, index);
        const order = typeof x === 'number' && typeof y === 'number'
          ? x - y : String(x).localeCompare(String(y), 'vi');
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
}

startCharts();
document.querySelectorAll('table.sortable').forEach(makeSortable);
