import { AppError } from '../../core/errors';
import { readHostRequest, type FromHost, type HostResponses, type ToHost } from './protocol';
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
  const read = readHostRequest(message);
  if ('error' in read) {
    // A request it cannot read fails loudly with the reason; one without a number cannot be answered (the client
    // always numbers its requests).
    if (read.seq !== null) send({ type: 'reply', seq: read.seq, ok: false, error: read.error.toInfo() });
    else log('error', read.error.message);
    return;
  }
  const msg = read.request;
  void handle(msg).then(
    (value) => send({ type: 'reply', seq: msg.seq, ok: true, value }),
    (e: unknown) =>
      send({
        type: 'reply',
        seq: msg.seq,
        ok: false,
        error:
          e instanceof AppError
            ? e.toInfo()
            : {
                code: e instanceof HostError ? e.code : 'MODEL_ERROR',
                message: e instanceof Error ? e.message : String(e),
              },
      }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
