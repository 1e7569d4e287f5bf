import { Module } from '@nestjs/common';
import { PatientsModule } from '../patients/patients.module';
import { AssessmentInputsService } from './assessment-inputs.service';
import { AssessmentReplayService } from './assessment-replay.service';
import { AssessmentsController, PatientAssessmentsController } from './assessments.controller';
import { AssessmentsService } from './assessments.service';
import { ExplanationImageService } from './explanation-image.service';

@Module({
  imports: [PatientsModule],
  controllers: [PatientAssessmentsController, AssessmentsController],
  providers: [AssessmentsService, AssessmentInputsService, AssessmentReplayService, ExplanationImageService],
})
export class AssessmentsModule {}
