import type { FromHost, HostResponses, ToHost } from './protocol';
import { ToHostEnvelope } from './protocol';
import { HostError, estimate, hardware, load, requireModel, type HostLog } from './host/model';
import { renderPrompt } from './host/promptTokens';
import { score } from './host/score';

/**
 * The teacher's own process: loads one GGUF model with node-llama-cpp and scores prompts. A llama.cpp abort ends this
 * process only; llama.cpp's log is forwarded so that the parent can tell a person why. The work is in ./host/: the
 * model and its sequences (model.ts), prompts as tokens (promptTokens.ts), and the scorers (score*.ts).
 */

function send(msg: FromHost): void {
  process.send?.(msg);
}

const log: HostLog = (level, message) => send({ type: 'log', level, message });

async function handle(msg: ToHost): Promise<HostResponses[keyof HostResponses]> {
  switch (msg.op) {
    case 'hardware':
      return hardware(log);
    case 'estimate':
      return estimate(msg.modelPath, msg.contextSize, msg.gpu, log);
    case 'load':
      return load(msg.options, log);
    case 'tokenize':
      return requireModel().tokenize(msg.text, false);
    case 'score':
      return score(msg.plan, msg.items, msg.strategy);
    case 'prompt':
      return renderPrompt(msg.plan, msg.text);
  }
}

process.on('message', (message: unknown) => {
  const envelope = ToHostEnvelope.safeParse(message);
  if (!envelope.success) {
    const seq = (message as { seq?: unknown } | null)?.seq;
    if (typeof seq === 'number')
      send({
        type: 'reply',
        seq,
        ok: false,
        error: { code: 'MODEL_ERROR', message: 'The teacher process received a request it does not know.' },
      });
    return;
  }
  const raw = message as ToHost;
  void handle(raw).then(
    (value) => send({ type: 'reply', seq: raw.seq, ok: true, value }),
    (e: unknown) =>
      send({
        type: 'reply',
        seq: raw.seq,
        ok: false,
        error: {
          code: e instanceof HostError ? e.code : 'MODEL_ERROR',
          message: e instanceof Error ? e.message : String(e),
        },
      }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
