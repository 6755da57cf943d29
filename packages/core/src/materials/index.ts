export { detectMaterialKind } from './detect-material-kind';
export type { InspectedMaterial, MaterialInput, MaterialKind } from './kind';
export {
  MATERIAL_FILE_EMPTY,
  MATERIAL_FILE_IS_DIRECTORY,
  MATERIAL_FILE_NOT_FOUND,
  MATERIAL_FILE_UNREADABLE,
  MATERIAL_INVALID,
} from './material-error';
export { detectionOrder, materialKind } from './registry';
export { NO_STRICT_VALIDATION_OPTION } from './sbom-cyclonedx';
export { ANNOTATION_TOOL_NAME, ANNOTATION_TOOL_VERSION, ANNOTATION_TOOLS } from './tool-annotations';
