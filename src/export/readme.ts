// README.md of an exported folder: what is in it, and how to verify,
// continue and scale up the run, in a few lines.
import type { TrainConfig } from '../config';
import type { EvalConfig } from '../eval/config';
import type { ResultsDoc } from '../eval/results';

export function exportReadme(doc: ResultsDoc, train: TrainConfig, evaluation: EvalConfig, trainText: boolean): string {
  const m = doc.model;
  const own = doc.lossVsLength[0]?.lengths ?? [];
  const table = own.map((r) => `| ${r.factor}x | ${r.length} | ${r.meanLoss.toFixed(4)} |`).join('\n');
  return `# ${doc.label}: an Attention Lab run as PyTorch

${m.nLayer} layers (${m.layers.join(', ')}), ${m.nEmbd} wide, ${m.nHead} heads, ${m.positional}, re-weighting
${m.reweight.mode} (p = ${m.reweight.p}); trained ${train.steps} steps of ${train.batchSize} x ${train.seqLen} tokens
on ${doc.data.name} by the lab (engine ${doc.engineVersion}). Its validation loss (nats/token) on
${evaluation.windows} fixed windows:

| length | L | loss |
| --- | --- | --- |
${table}

| file | what |
| --- | --- |
| \`model.py\` | the model as a \`torch.nn.Module\`, one class per mechanism, formulas in comments |
| \`train.py\` | the lab's optimiser, schedule, clipping, batches and evaluation; \`--verify\`, \`--check\` |
| \`lab_data.py\` | the lab's random numbers and data windows, and safetensors reading and writing |
| \`weights.safetensors\` | the trained parameters by the lab's names (PyTorch's \`h.3.x\` is \`h3.x\`) |
| \`data.safetensors\` | the corpus as token documents${trainText ? '' : ' (validation only)'}, the validation windows |
| \`check.safetensors\` | the lab's initial weights, its gradients of the first batch, its first batches and losses |
| \`config.json\`, \`tokenizer.json\`, \`results.json\` | settings, the character tokenizer, the lab's results |

Needs Python 3 and PyTorch (CPU is enough here); \`pip install safetensors\` is optional.

- **Verify**: \`python3 train.py --verify\` evaluates the weights on the lab's windows at every
  length and exits 0 only when each loss is the lab's within 1e-4 relative.
  \`python3 train.py --check\` compares PyTorch's gradients at initialisation and the first
  training losses with the lab's.
- **Continue**: \`python3 train.py --init trained --steps 1000\` (\`--device cuda\`); without
  \`--init\` it trains from the lab's initial weights on the lab's batches.
- **Scale up**: edit \`config.json\` (\`model.nEmbd\`, \`nHead\`, \`nLayer\` with one mechanism
  per layer in \`layers\`, \`train.seqLen\` and \`model.trainLength\` for a longer T, \`train.steps\`,
  \`train.batchSize\`), then \`python3 train.py --init fresh\`; on 4 GPUs
  \`torchrun --nproc_per_node 4 train.py --init fresh --device cuda\` (the global batch is split).
  Another corpus: write its documents as \`train_tokens\`/\`train_offsets\` and
  \`val_tokens\`/\`val_offsets\` in \`data.safetensors\` (\`lab_data.save_safetensors\`), its
  vocabulary size in \`model.vocabSize\`, and delete \`eval_windows\` to draw new ones.
`;
}
