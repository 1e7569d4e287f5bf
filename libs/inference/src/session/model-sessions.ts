import * as ort from 'onnxruntime-node';
import type { Modality } from '../manifest/model-manifest';

/**
 * ONNX Runtime session options for every graph of a model. Thread counts are fixed (never "all
 * cores") so a recorded result does not depend on the host, and replays reproduce it
 * (ARCHITECTURE.md §Replay); graph optimisation is on ("all": constant folding, node fusions).
 */
export interface ModelSessionOptions {
  /** Threads inside one operator (default 1). */
  intraOpNumThreads?: number;
  /** Threads across independent operators (default 1; the graphs run sequentially). */
  interOpNumThreads?: number;
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Pre-plans the activation buffers from the first run's shapes (re-planned when shapes change). */
  enableMemPattern?: boolean;
  /** The CPU arena allocator (keeps freed blocks for the next run instead of returning them). */
  enableCpuMemArena?: boolean;
  executionMode?: 'sequential' | 'parallel';
}

export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

export const DEFAULT_SESSION_OPTIONS: Required<ModelSessionOptions> = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  enableMemPattern: true,
  enableCpuMemArena: true,
  executionMode: 'sequential',
};

/**
 * Reads MOSAIC_ORT_INTRA_OP_THREADS, MOSAIC_ORT_INTER_OP_THREADS and MOSAIC_ORT_GRAPH_OPTIMIZATION
 * over the defaults.
 */
export function sessionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Required<ModelSessionOptions> {
  const int = (value: string | undefined, fallback: number): number =>
    value !== undefined && /^[1-9]\d*$/.test(value) ? Number(value) : fallback;
  return {
    ...DEFAULT_SESSION_OPTIONS,
    intraOpNumThreads: int(env.MOSAIC_ORT_INTRA_OP_THREADS, DEFAULT_SESSION_OPTIONS.intraOpNumThreads),
    interOpNumThreads: int(env.MOSAIC_ORT_INTER_OP_THREADS, DEFAULT_SESSION_OPTIONS.interOpNumThreads),
    graphOptimizationLevel:
      GRAPH_OPTIMIZATION_LEVELS.find((l) => l === env.MOSAIC_ORT_GRAPH_OPTIMIZATION) ??
      DEFAULT_SESSION_OPTIONS.graphOptimizationLevel,
  };
}

export type GraphName = Modality | 'fusion';

export type ModelSessions = Record<GraphName, ort.InferenceSession>;

export async function createSession(
  bytes: Uint8Array,
  options: ModelSessionOptions = {},
): Promise<ort.InferenceSession> {
  const resolved = { ...DEFAULT_SESSION_OPTIONS, ...options };
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: resolved.intraOpNumThreads,
    interOpNumThreads: resolved.interOpNumThreads,
    graphOptimizationLevel: resolved.graphOptimizationLevel,
    enableMemPattern: resolved.enableMemPattern,
    enableCpuMemArena: resolved.enableCpuMemArena,
    executionMode: resolved.executionMode,
  });
}

export async function releaseSessions(sessions: Partial<ModelSessions>): Promise<void> {
  for (const session of Object.values(sessions)) await session?.release();
}
