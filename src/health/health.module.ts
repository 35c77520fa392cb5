import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthController } from './health.controller.js';
import { LivenessService } from './liveness.service.js';
import { ReadinessService } from './readiness.service.js';

@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [HealthController],
  providers: [ReadinessService, LivenessService],
  exports: [ReadinessService],
})
export class HealthModule {}
