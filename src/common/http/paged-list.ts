import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** One page of an admin list. */
export interface Page {
  limit: number;
  offset: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

/**
 * `?limit=&offset=` on the admin lists. The body stays a plain JSON array (what clients already
 * read); the total is in `X-Total-Count` and the next page, when there is one, in `Link: rel="next"`.
 */
export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    example: 100,
    description: 'Items per page',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0, example: 0, description: 'Items to skip' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export function pageOf(q: PageQueryDto): Page {
  return { limit: q.limit ?? DEFAULT_PAGE_SIZE, offset: q.offset ?? 0 };
}

/** `X-Total-Count`, and `Link` to the next page while items remain. */
export function setPageHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  page: Page,
  total: number,
): void {
  void reply.header('x-total-count', String(total));
  if (page.offset + page.limit < total) {
    const path = request.url.split('?')[0];
    const next = `${path}?limit=${page.limit}&offset=${page.offset + page.limit}`;
    void reply.header('link', `<${next}>; rel="next"`);
  }
}

/**
 * The whole of a paged admin list route: the page the query asks for, loaded, its headers set, its
 * items as DTOs. The apps, keys, connections and examples lists all answer through it, so their
 * paging cannot drift apart.
 */
export async function pagedList<T, D>(
  query: PageQueryDto,
  request: FastifyRequest,
  reply: FastifyReply,
  load: (page: Page) => Promise<{ items: T[]; total: number }>,
  toDto: (item: T) => D,
): Promise<D[]> {
  const page = pageOf(query);
  const { items, total } = await load(page);
  setPageHeaders(request, reply, page, total);
  return items.map(toDto);
}

/** The OpenAPI description of the two headers. */
export const PAGE_HEADERS = {
  'X-Total-Count': { description: 'Items in the whole list', schema: { type: 'integer' } },
  Link: { description: 'rel="next": the next page, when there is one', schema: { type: 'string' } },
};
