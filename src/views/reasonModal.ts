import type { ModalView } from '@slack/types';

/** A modal that asks for a reason (or a comment) before a decision: one text, one multi-line input. */
export interface ReasonModal {
  readonly callbackId: string;
  /** What the submission acts on (a request id, an approval id). */
  readonly metadata: string;
  readonly title: string;
  readonly submit: string;
  /** mrkdwn, already escaped by the caller. */
  readonly text: string;
  readonly blockId: string;
  readonly actionId: string;
  readonly label: string;
  readonly maxLength: number;
  readonly placeholder?: string;
}

export function reasonModal(m: ReasonModal): ModalView {
  return {
    type: 'modal',
    callback_id: m.callbackId,
    private_metadata: m.metadata,
    title: { type: 'plain_text', text: m.title },
    submit: { type: 'plain_text', text: m.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: m.text } },
      {
        type: 'input',
        block_id: m.blockId,
        label: { type: 'plain_text', text: m.label },
        element: {
          type: 'plain_text_input',
          action_id: m.actionId,
          multiline: true,
          max_length: m.maxLength,
          ...(m.placeholder ? { placeholder: { type: 'plain_text', text: m.placeholder } } : {}),
        },
      },
    ],
  };
}
