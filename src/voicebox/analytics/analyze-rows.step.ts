import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { QueryRows } from '../answer/query-rows.js';
import type { TurnContext } from '../pipeline/turn-context.js';
import { statisticsOf, type RowStatistics } from './row-statistics.js';

/**
 * Statistics over all the rows (`enable_analytics`, or `#analyze` in the question), for the answer
 * prompt and as an action. A single row has nothing to add up, unless the user asked.
 */
@Injectable()
export class AnalyzeRowsStep {
  constructor(private readonly config: AppConfig) {}

  run(ctx: TurnContext, rows: QueryRows): RowStatistics | undefined {
    const asked = ctx.directives.has('analyze');
    if (!rows.table || !(asked || this.config.features.analytics)) return undefined;
    if (rows.table.rows.length < (asked ? 1 : 2)) return undefined;
    return statisticsOf(rows.table);
  }
}
