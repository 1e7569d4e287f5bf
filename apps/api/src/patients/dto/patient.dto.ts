import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AdministrativeSex, DEFAULT_MRN_SYSTEM } from '@mosaic/domain';
import type { Patient, PatientIdentifier } from '@mosaic/persistence';
import { PageQueryDto } from './paging.dto';

/** FHIR R4 Identifier: an MRN is one of these, its system being the issuer's namespace. */
export class PatientIdentifierDto {
  @ApiPropertyOptional({
    default: DEFAULT_MRN_SYSTEM,
    description: 'issuer namespace URI; omitted means the Mosaic MRN system (type MR)',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  system?: string;

  @ApiProperty({ example: 'MRN-001' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  value: string;

  @ApiPropertyOptional({ description: 'HL7 v2 table 0203 type code, e.g. MR', example: 'MR' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{1,10}$/, { message: 'type must be an HL7 v2 table 0203 code such as MR' })
  type?: string;
}

/** FHIR R4 HumanName, reduced to what Mosaic searches on. */
export class HumanNameDto {
  @ApiProperty({ example: 'Doe' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  family: string;

  @ApiPropertyOptional({ example: ['Jane'], type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  given?: string[];
}

export class CreatePatientDto {
  @ApiProperty({ type: HumanNameDto })
  @ValidateNested()
  @Type(() => HumanNameDto)
  name: HumanNameDto;

  @ApiPropertyOptional({ example: '1970-01-31', description: 'FHIR date, YYYY-MM-DD' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate?: string;

  @ApiPropertyOptional({ enum: AdministrativeSex, default: AdministrativeSex.Unknown })
  @IsOptional()
  @IsEnum(AdministrativeSex)
  sex?: AdministrativeSex;

  @ApiProperty({ type: [PatientIdentifierDto], minItems: 1 })
  @IsArray()
  @ArrayMinSize(1, { message: 'identifiers must hold at least one identifier, e.g. the MRN' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PatientIdentifierDto)
  identifiers: PatientIdentifierDto[];
}

export class PatientSearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'identifier value, e.g. an MRN' })
  @ValidateIf((query: PatientSearchQueryDto) => query.mrn !== undefined || query.system !== undefined)
  @IsString({ message: 'mrn is required when system is given' })
  @IsNotEmpty()
  @MaxLength(100)
  mrn?: string;

  @ApiPropertyOptional({ description: 'restricts mrn to one identifier system' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  system?: string;

  @ApiPropertyOptional({
    description: 'case-insensitive prefix of the family or a given name; several words must all match',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

export class PatientIdentifierResponseDto {
  @ApiProperty() system: string;
  @ApiProperty() value: string;
  @ApiPropertyOptional({ nullable: true, type: String }) type: string | null;

  static from(identifier: PatientIdentifier): PatientIdentifierResponseDto {
    return { system: identifier.system, value: identifier.value, type: identifier.typeCode };
  }
}

export class PatientResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: HumanNameDto }) name: { family: string; given: string[] };
  @ApiPropertyOptional({ nullable: true, type: String }) birthDate: string | null;
  @ApiProperty({ enum: AdministrativeSex }) sex: AdministrativeSex;
  @ApiProperty({ type: [PatientIdentifierResponseDto] }) identifiers: PatientIdentifierResponseDto[];
  @ApiProperty() sourceKind: string;
  @ApiProperty() sourceId: string;
  @ApiProperty() createdAt: string;

  static from(patient: Patient): PatientResponseDto {
    return {
      id: patient.id,
      name: { family: patient.familyName, given: patient.givenNames },
      birthDate: patient.birthDate,
      sex: patient.sex,
      identifiers: [...(patient.identifiers ?? [])]
        .sort((a, b) => a.system.localeCompare(b.system) || a.value.localeCompare(b.value))
        .map((identifier) => PatientIdentifierResponseDto.from(identifier)),
      sourceKind: patient.sourceKind,
      sourceId: patient.sourceId,
      createdAt: patient.createdAt.toISOString(),
    };
  }
}
