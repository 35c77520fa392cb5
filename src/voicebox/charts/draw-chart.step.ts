import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { QueryRows } from '../answer/query-rows.js';
import type { TurnContext } from '../pipeline/turn-context.js';
import { checkCompiles } from './chart-compiler.js';
import { chartFor, type ChartProposal } from './chart-shapes.js';

/**
 * A chart of the rows (`enable_charts`, or `#chart` in the question) when their shape suits one.
 * The spec is compiled before it is returned; one that does not compile is dropped (and the
 * problem kept for `#debug`).
 */
@Injectable()
export class DrawChartStep {
  constructor(private readonly config: AppConfig) {}

  run(ctx: TurnContext, rows: QueryRows, title: string): ChartProposal | undefined {
    if (!rows.table || !(ctx.directives.has('chart') || this.config.features.charts)) return;
    const chart = chartFor(rows.table, title);
    if (!chart) return;
    const check = checkCompiles(chart.spec);
    if (!check.ok) {
      ctx.trace.grounding.droppedChart = check.problem;
      return;
    }
    return chart;
  }
}
