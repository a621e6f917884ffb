import { z } from 'zod';

/**
 * A seed a person may give (training a student, an evaluation's bootstrap): a non-negative 31-bit integer, 42 unless
 * said. Each request adds its own description of what the seed decides.
 */
export const SeedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)
  .default(42);
