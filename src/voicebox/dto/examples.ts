/** Request and stream examples for the OpenAPI document (Swagger UI's "Try it out" starts from them). */
export const ASK_BODY_EXAMPLES = {
  question: {
    summary: 'A question (new conversation)',
    value: { query: 'In which department is Ms. Brant?' },
  },
  message: {
    summary: 'The same, with `message` instead of `query`',
    value: { message: 'Who is the manager of Heinrich Hoch?' },
  },
  follow_up: {
    summary: 'A follow-up in a conversation',
    value: {
      query: 'And who manages that department?',
      conversation_id: '3f1c7a52-9b4e-4d7a-8c11-5e2f0a9d6b33',
    },
  },
  debug: {
    summary: 'With #debug: prompts, grounding, tokens and durations as actions',
    value: { query: '#debug How many employees are there?' },
  },
};

const ids = {
  conversation_id: '3f1c7a52-9b4e-4d7a-8c11-5e2f0a9d6b33',
  message_id: '9a0e5b7c-1d2f-4e3a-8b6c-7d8e9f0a1b2c',
};

/** Three lines of a stream, as the client reads them. */
export const STREAM_EXAMPLE = [
  {
    result: '',
    ...ids,
    actions: [{ type: 'status', label: 'Status', value: 'understanding the question' }],
    pending: true,
  },
  {
    result: 'Ms. Brant works in',
    ...ids,
    actions: [
      {
        type: 'rewritten_query',
        label: 'Interpreted Question',
        value: 'In which department is Ms. Brant?',
      },
    ],
    pending: true,
  },
  {
    result:
      'Ms. Brant works in the [Marketing](http://ld.company.org/prod-instances/dept-41622) department.',
    ...ids,
    actions: [
      {
        type: 'rewritten_query',
        label: 'Interpreted Question',
        value: 'In which department is Ms. Brant?',
      },
    ],
    pending: false,
  },
]
  .map((l) => JSON.stringify(l))
  .join('\n');
