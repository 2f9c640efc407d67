import { fileAccessError, unreadableWorkbook } from '../../../../sync-service/sinks/workbook/workbook-errors';

const osError = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('workbook file errors', () => {
  it.each([
    [
      'EBUSY',
      'read',
      /credits\.xlsx cannot be read: it is locked by another program \(is it open in Excel\?\)/,
    ],
    ['EACCES', 'read', /credits\.xlsx cannot be read: permission denied \(EACCES\)/],
    [
      'EPERM',
      'save',
      /credits\.xlsx cannot be saved: permission denied[\s\S]*open in Excel[\s\S]*previous file was not changed/,
    ],
    ['ENOSPC', 'save', /the disk is full[\s\S]*previous file was not changed/],
    ['ENOENT', 'save', /its folder does not exist/],
    ['EIO', 'save', /credits\.xlsx cannot be saved \(EIO: EIO: something\)/],
  ] as const)('%s while the file is %s is explained', (code, op, message) => {
    const err = fileAccessError('credits.xlsx', op, osError(code));
    expect(err).toMatchObject({ code: 'BAD_SHEET', message: expect.stringMatching(message) });
  });

  it('a damaged workbook names the file, the cause, the backup and that nothing changed', () => {
    const err = unreadableWorkbook(
      'credits.xlsx',
      'credits.xlsx.bak',
      new Error('End of data reached (data length = 0, asked index = 4). Corrupted zip ?\nmore'),
    );
    expect(err.message).toBe(
      'credits.xlsx is not a readable workbook (End of data reached (data length = 0, asked index = 4). Corrupted zip ?).\n' +
        '  → It was not changed; restore it from the backup credits.xlsx.bak or move it away to start fresh.',
    );
  });
});
