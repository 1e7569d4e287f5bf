import { resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const SENSITIVE = Symbol('sensitive');

/** Marks a setting as secret: it is never logged and never appears in `describeConfig`. */
function Sensitive(): PropertyDecorator {
  return (target, key) => {
    const keys: (string | symbol)[] = Reflect.getMetadata(SENSITIVE, target) ?? [];
    Reflect.defineMetadata(SENSITIVE, [...keys, key], target);
  };
}

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : ['1', 'true', 'yes'].includes(String(value).toLowerCase());

/**
 * Every setting, read from the environment and validated at start-up (README §Configuration).
 * A bad value stops the process with a message naming the variable.
 */
export class AppConfig {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** PostgreSQL connection string; unset means the embedded PGlite engine. */
  @IsOptional()
  @IsString()
  @Sensitive()
  DATABASE_URL?: string;

  /** PGlite data, blob store and generated keys. */
  @IsOptional()
  @IsString()
  MOSAIC_DATA_DIR = './var';

  /** JWT signing key (≥ 32 characters). Unset: generated once and kept in the data directory. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  @Sensitive()
  MOSAIC_JWT_SECRET?: string;

  /**
   * Audit-checkpoint HMAC key (≥ 32 characters), never stored in the database. Unset: generated
   * once in the data directory (docs/audit.md).
   */
  @IsOptional()
  @IsString()
  @MinLength(32)
  @Sensitive()
  MOSAIC_AUDIT_KEY?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  MOSAIC_TOKEN_TTL_SECONDS = 8 * 3600;

  /** Largest accepted DICOM file, in bytes; larger uploads get 413. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  MOSAIC_MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

  /** Most files in one multipart upload. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  MOSAIC_MAX_UPLOAD_FILES = 500;

  /** Facility time zone (IANA) for DICOM dates without TimezoneOffsetFromUTC. */
  @IsOptional()
  @IsString()
  MOSAIC_TIMEZONE = 'UTC';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Model folders, `<modelId>/<version>/manifest.json` (docs/assessments.md §Models). */
  @IsOptional()
  @IsString()
  MOSAIC_MODELS_DIR = resolve(__dirname, '../../../../models');

  /** The model that serves assessments; unset means the only (or alphabetically first) model id found. */
  @IsOptional()
  @IsString()
  MOSAIC_MODEL_ID?: string = undefined;

  /** Seconds between checks of the active version in the database, so replicas follow an activation. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  MOSAIC_MODEL_SYNC_SECONDS = 5;

  /** onnxruntime intra-op threads per graph; fixed so recorded results replay bit for bit. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  MOSAIC_ORT_INTRA_OP_THREADS = 1;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  MOSAIC_ORT_INTER_OP_THREADS = 1;

  /** onnxruntime graph optimisation level (docs/assessments.md §Serving). */
  @IsOptional()
  @IsIn(['disabled', 'basic', 'extended', 'all'])
  MOSAIC_ORT_GRAPH_OPTIMIZATION = 'all';

  /** Most assessments that share one encoder and fusion run; 1 turns micro-batching off. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  MOSAIC_BATCH_MAX_SIZE = 8;

  /**
   * Longest a request waits for others to join its batch, in milliseconds; 0: no timer, a batch
   * holds what arrived in the same event-loop turn plus what queued while the previous batch ran.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  MOSAIC_BATCH_MAX_WAIT_MS = 0;

  /** Bound of the encoder-output cache, in bytes; 0 turns the cache off. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  MOSAIC_EMBEDDING_CACHE_BYTES = 256 * 1024 * 1024;

  /** Bound of the prepared-image cache (decoded, windowed, resized model inputs), in bytes; 0 turns it off. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  MOSAIC_IMAGE_INPUT_CACHE_BYTES = 64 * 1024 * 1024;

  /** Worker threads for CPU-heavy preprocessing (DICOM decode and resize, tokenisation); 0 runs it in process. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(64)
  MOSAIC_PREPROCESS_WORKERS = 1;

  /** Git commit recorded with every assessment; unset: `git rev-parse HEAD` at start, else "unknown". */
  @IsOptional()
  @IsString()
  MOSAIC_CODE_VERSION?: string = undefined;

  /**
   * Embedded mode only: on the first start with an empty database, ingest a synthetic demo cohort
   * through the API and assess it (README §Quick start). `false` turns it off.
   */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  MOSAIC_DEMO = true;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  MOSAIC_DEMO_PATIENTS = 40;

  /** Create the first admin (random password, printed once) when the user table is empty. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  MOSAIC_BOOTSTRAP_ADMIN = true;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const sensitiveKeys: (string | symbol)[] = Reflect.getMetadata(SENSITIVE, AppConfig.prototype) ?? [];
  const raw = Object.fromEntries(
    [...known, ...sensitiveKeys.map(String)]
      .filter((key) => env[key] !== undefined)
      .map((key) => [key, env[key]]),
  );
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const secret = sensitiveKeys.includes(error.property);
      const shown = secret ? '(hidden)' : JSON.stringify(raw[error.property]);
      return `${error.property}=${shown}: ${Object.values(error.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return config;
}

/** The configuration with every sensitive value replaced, safe to log. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const sensitiveKeys: (string | symbol)[] = Reflect.getMetadata(SENSITIVE, AppConfig.prototype) ?? [];
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      sensitiveKeys.includes(key) && value !== undefined ? '[redacted]' : value,
    ]),
  );
}
