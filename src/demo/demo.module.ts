import { Module } from '@nestjs/common';
import { ExamplesModule } from '../voicebox/examples/examples.module.js';
import { DemoAppSeeder } from './demo-app.seeder.js';

/** The ready-to-ask demo app over the embedded CK25 graph (VOICEBOX_EMBEDDED_DEMO). */
@Module({ imports: [ExamplesModule], providers: [DemoAppSeeder] })
export class DemoModule {}
