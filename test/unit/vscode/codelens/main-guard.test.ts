import { describe, expect, it } from 'vitest';
import { mainGuardLines } from '../../../../src/vscode/codelens/main-guard';

describe('Train CNN inputs', () => {
  it('finds main guards in either quote style, not in strings or indented code', () => {
    const text = ['import x', 'if __name__ == "__main__":', '    main()', "if __name__=='__main__' :", '  if __name__ == "__main__":', 's = "if __name__ == \'__main__\':"', 'if "__main__" == __name__:'].join('\n');
    expect(mainGuardLines(text)).toEqual([1, 3, 6]);
    expect(mainGuardLines('if __name__ == "__main__"\r\nif __name__ == "__main__":\r\n')).toEqual([1]);
  });
});
