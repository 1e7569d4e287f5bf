import { Module } from '@nestjs/common';
import { PatientsModule } from '../patients/patients.module';
import { DicomUploadInterceptor } from './dicom-upload.interceptor';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';

@Module({
  imports: [PatientsModule],
  controllers: [ImagesController],
  providers: [ImagesService, DicomUploadInterceptor],
})
export class ImagesModule {}
