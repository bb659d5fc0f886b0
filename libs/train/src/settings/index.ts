// Training settings → TrainJobConfig: a new run over the preset's defaults, or a resume over the saved run.
export {
  checkSettingChoices,
  TRAIN_SETTING_CHOICES,
  TRAIN_SETTING_KEYS,
  TrainSettingsError,
  type GivenSettings,
  type TrainSettingKey,
  type TrainSettings,
} from './train-settings.js';
export { DEFAULT_TRAIN_PRESET, freshTrainConfig, perceptualChoice, quantizerOverrideOf } from './fresh-config.js';
export { readSavedTrainConfig, resumedTrainConfig, resumeOverrides, type ResumedConfig } from './resume-config.js';
export { trainConfigFor, type TrainRunConfig } from './train-config-for.js';
