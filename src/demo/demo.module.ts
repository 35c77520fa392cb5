import { Module } from '@nestjs/common';
import { DemoAppSeeder } from './demo-app.seeder.js';

/** The ready-to-ask demo app over the embedded CK25 graph (VOICEBOX_EMBEDDED_DEMO). */
@Module({ providers: [DemoAppSeeder] })
export class DemoModule {}
