// Provisioning mistakes: bad input or a rule of the subscriber/device model broken. The message is for the operator.
export class ProvisioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}
