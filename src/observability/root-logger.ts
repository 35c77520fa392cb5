import { Inject } from '@nestjs/common';

/** Injection token of the process's pino logger (`Logger` from pino is a type, not a class). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export const InjectLogger = () => Inject(ROOT_LOGGER);
