export * from './bearer-tokens';
export * from './password-hasher';
export * from './signing-key';
